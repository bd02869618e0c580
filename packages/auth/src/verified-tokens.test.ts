import { expect, test } from "bun:test";
import { VerifiedTokenCache } from "./verified-tokens";

test("a verified token is served until it expires, and never after", () => {
  const cache = new VerifiedTokenCache();
  cache.set("t1", { userId: "1", clientId: "2", expiresAt: 1_000 });
  expect(cache.get("t1", 999)).toEqual({ userId: "1", clientId: "2", expiresAt: 1_000 });
  expect(cache.get("t1", 1_000)).toBeNull();
  expect(cache.get("t1", 500)).toBeNull(); // dropped on the expired read
  expect(cache.get("other", 0)).toBeNull();
});
