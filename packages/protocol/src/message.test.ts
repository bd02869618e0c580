import { describe, expect, test } from "bun:test";
import { ZId } from "./ids";
import { MAX_TEXT_LENGTH, ZChangeInput, ZEmoji, ZMessageContent, ZTimelineContent } from "./message";

describe("message content", () => {
  test("accepts text up to the limit, counted in characters (code points), not UTF-16 units", () => {
    const emoji = "😀".repeat(MAX_TEXT_LENGTH); // 8,000 UTF-16 units, 4,000 characters
    expect(ZMessageContent.safeParse({ kind: "text", text: emoji }).success).toBe(true);
    expect(ZMessageContent.safeParse({ kind: "text", text: `${emoji}a` }).success).toBe(false);
  });

  test("refuses a lone surrogate: the database cannot store it, so it is the client's error", () => {
    for (const text of ["\uD800", "hi \uDC00", "\uDBFF!"]) {
      expect(ZMessageContent.safeParse({ kind: "text", text }).success).toBe(false);
    }
    expect(ZMessageContent.safeParse({ kind: "text", text: "pair 😀 ok" }).success).toBe(true);
  });

  test("refuses empty and whitespace-only text, unknown kinds and missing fields", () => {
    for (const bad of [
      { kind: "text", text: "" },
      { kind: "text", text: " \n\t " },
      { kind: "image", url: "x" },
      { kind: "text" },
      "hello",
    ]) {
      expect(ZMessageContent.safeParse(bad).success).toBe(false);
    }
  });
});

describe("ids", () => {
  test("are decimal strings without sign, leading zeros or fractions, up to 20 digits", () => {
    for (const good of ["1", "9223372036854775807", "18446744073709551615"]) {
      expect(ZId.safeParse(good).success).toBe(true);
    }
    for (const bad of ["0", "-1", "01", "1.5", "1e3", "", "123456789012345678901", 12]) {
      expect(ZId.safeParse(bad).success).toBe(false);
    }
  });
});

describe("message changes", () => {
  test("an emoji is one pictographic grapheme (skin tones and ZWJ sequences included)", () => {
    for (const emoji of ["👍", "❤️", "👍🏽", "👩‍💻", "🎉"]) {
      expect(ZEmoji.safeParse(emoji).success).toBe(true);
    }
    for (const bad of ["", "a", "👍👍", "👍 ", ":+1:", "x".repeat(17)]) {
      expect(ZEmoji.safeParse(bad).success).toBe(false);
    }
  });

  test("change inputs need a target id; an edit needs real text", () => {
    expect(ZChangeInput.safeParse({ kind: "edit", target: "5", text: "new" }).success).toBe(true);
    expect(ZChangeInput.safeParse({ kind: "edit", target: "5", text: "  " }).success).toBe(false);
    expect(ZChangeInput.safeParse({ kind: "delete", target: "x" }).success).toBe(false);
    expect(ZChangeInput.safeParse({ kind: "reaction", target: "5", emoji: "👍", on: true }).success).toBe(
      true,
    );
    expect(ZChangeInput.safeParse({ kind: "reaction", target: "5", emoji: "👍" }).success).toBe(false);
  });

  test("a timeline row may be a tombstone or a change, but a sender may send neither as a message", () => {
    expect(ZTimelineContent.safeParse({ kind: "deleted" }).success).toBe(true);
    expect(ZTimelineContent.safeParse({ kind: "edit", target: "5" }).success).toBe(true);
    expect(ZMessageContent.safeParse({ kind: "deleted" }).success).toBe(false);
    expect(ZMessageContent.safeParse({ kind: "text", text: "hi", replyTo: "7" }).success).toBe(true);
  });
});
