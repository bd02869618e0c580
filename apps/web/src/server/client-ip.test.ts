import { expect, test } from "bun:test";
import { clientIp } from "./client-ip";

test("the client is the hop our one proxy appended, not what the client wrote on the left", () => {
  const spoofed = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" });
  expect(clientIp(spoofed)).toBe("203.0.113.7");
  expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.2" }))).toBe("198.51.100.2");
  expect(clientIp(new Headers({ "x-forwarded-for": "not-an-ip" }))).toBeNull();
  expect(clientIp(new Headers())).toBeNull();
});
