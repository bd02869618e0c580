import { describe, expect, test } from "bun:test";
import { safeReturnTo } from "./return-to";

const APP = "https://chat.example";

describe("safeReturnTo: only paths on our own origin", () => {
  test("keeps same-origin paths with their query and fragment", () => {
    expect(safeReturnTo("/chats", APP)).toBe("/chats");
    expect(safeReturnTo("/chats/123?tab=members#m9", APP)).toBe("/chats/123?tab=members#m9");
    expect(safeReturnTo("/", APP)).toBe("/");
  });

  test("refuses every form of another origin, including ones URL parsing rewrites", () => {
    const attacks = [
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example/",
      "\\\\evil.example/",
      // WHATWG URL parsing strips tabs and newlines: these become //evil.example.
      "/\t/evil.example/",
      "/\n/evil.example/",
      "/\r/evil.example/",
      "\t//evil.example/",
      "javascript:alert(1)",
      "evil.example",
      "",
      null,
      `/${"a".repeat(600)}`,
    ];
    for (const value of attacks) {
      const target = new URL(safeReturnTo(value, APP), APP);
      expect({ value, origin: target.origin }).toEqual({ value, origin: APP });
      expect({ value, result: safeReturnTo(value, APP) }).toEqual({ value, result: "/" });
    }
  });
});
