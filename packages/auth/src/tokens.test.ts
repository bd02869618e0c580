import { describe, expect, test } from "bun:test";
import {
  deriveSuccessorToken,
  generateOpaqueToken,
  hashesEqual,
  hashToken,
  parseOpaqueToken,
} from "./tokens";

describe("opaque tokens", () => {
  test("embed the user id (shard key) and 256 random bits", () => {
    const token = generateOpaqueToken("123456789");
    expect(parseOpaqueToken(token)).toEqual({ userId: "123456789", token });
    expect(generateOpaqueToken("1")).not.toBe(generateOpaqueToken("1"));
  });

  test("malformed tokens are rejected before any lookup", () => {
    expect(parseOpaqueToken("")).toBeNull();
    expect(parseOpaqueToken("0123.abc")).toBeNull();
    expect(parseOpaqueToken(`12.${"a".repeat(42)}`)).toBeNull();
    expect(parseOpaqueToken(`12.${"a".repeat(43)}'--`)).toBeNull();
  });

  test("hashes are SHA-256 hex and compared in constant time", () => {
    expect(hashToken("x")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(hashToken("x"), hashToken("x"))).toBe(true);
    expect(hashesEqual(hashToken("x"), hashToken("y"))).toBe(false);
    expect(hashesEqual("ab", "abc")).toBe(false);
  });

  test("the refresh successor is deterministic per secret and token, and parseable", () => {
    const previous = parseOpaqueToken(generateOpaqueToken("42"));
    if (!previous) throw new Error("unparseable");
    const a = deriveSuccessorToken("secret-a".repeat(4), previous);
    expect(deriveSuccessorToken("secret-a".repeat(4), previous)).toBe(a);
    expect(deriveSuccessorToken("secret-b".repeat(4), previous)).not.toBe(a);
    expect(parseOpaqueToken(a)?.userId).toBe("42");
  });
});
