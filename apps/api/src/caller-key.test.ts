import { expect, test } from "bun:test";
import { callerKey, procedurePaths } from "./caller-key";

test("a bearer token, else the session cookie (either name), else the address names the caller", () => {
  const bearer = callerKey(
    new Headers({ authorization: "Bearer abc", cookie: "parley_session=s1" }),
    "1.2.3.4",
  );
  expect(bearer.startsWith("t:")).toBe(true);
  const plain = callerKey(new Headers({ cookie: "theme=dark; parley_session=s1" }), "1.2.3.4");
  const hosted = callerKey(new Headers({ cookie: "__Host-parley_session=s1" }), "1.2.3.4");
  expect(plain.startsWith("s:")).toBe(true);
  expect(hosted).toBe(plain);
  expect(callerKey(new Headers({ cookie: "parley_session=s2" }), null)).not.toBe(plain);
  expect(callerKey(new Headers({ cookie: "theme=dark" }), "1.2.3.4")).toBe("ip:1.2.3.4");
  expect(bearer).not.toContain("abc");
});

test("the procedures of a tRPC URL, batch or not", () => {
  expect(procedurePaths("/api/trpc/dialog.get,message.send", "/api/trpc")).toEqual([
    "dialog.get",
    "message.send",
  ]);
  expect(procedurePaths("/api/trpc/user.me", "/api/trpc")).toEqual(["user.me"]);
  expect(procedurePaths("/api/trpc", "/api/trpc")).toEqual([]);
});
