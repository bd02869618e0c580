import { describe, expect, test } from "bun:test";
import { handleCandidateFrom, normaliseHandle, ZDisplayName, ZHandle } from "./handle";

describe("handles", () => {
  test("normalisation folds width, case and compatibility forms", () => {
    expect(normaliseHandle("Alice")).toBe("alice");
    expect(normaliseHandle("ＡＬＩＣＥ")).toBe("alice");
    expect(normaliseHandle("Straße")).toBe(normaliseHandle("STRASSE"));
    expect(normaliseHandle("ﬁsh")).toBe("fish");
    expect(normaliseHandle("bob")).not.toBe(normaliseHandle("b0b"));
  });

  test("the rules accept ASCII letters, digits and _ . - only, folded to lower case", () => {
    expect(ZHandle.parse(" Jose_1 ")).toBe("jose_1");
    expect(ZHandle.parse("ＡＬＩＣＥ")).toBe("alice");
    expect(ZHandle.parse("a.b-c_d")).toBe("a.b-c_d");
    expect(ZHandle.safeParse("ab").success).toBe(false);
    expect(ZHandle.safeParse("a".repeat(33)).success).toBe(false);
    expect(ZHandle.safeParse("_leading").success).toBe(false);
    expect(ZHandle.safeParse("has space").success).toBe(false);
    expect(ZHandle.safeParse("emoji😀").success).toBe(false);
  });

  test("look-alikes from other scripts and invisible fillers are refused with the rule in the message", () => {
    for (const lookalike of [
      "\u0430lice", // Cyrillic а
      "b\u03BFb", // Greek ο
      "\u3164\u3164\u3164", // Hangul filler
      "alice\u3164", // alice + Hangul filler
      "alice\uFFA0", // half-width Hangul filler
      "ali\u200Bce", // zero-width space
      "José",
      "İstanbul", // dotted capital I: lower-cases to i + a combining dot
    ]) {
      const parsed = ZHandle.safeParse(lookalike);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toContain("a–z, 0–9");
    }
  });

  test("OIDC claims become valid handle candidates", () => {
    expect(handleCandidateFrom("José.García@example.com")).toBe("jose.garcia");
    expect(handleCandidateFrom("\u0430lice@example.com")).toBe("lice");
    expect(handleCandidateFrom("Алиса")).toBe("user");
    expect(handleCandidateFrom("alice@example.com")).toBe("alice");
    expect(handleCandidateFrom("x")).toBe("user");
    expect(handleCandidateFrom(undefined)).toBe("user");
    expect(ZHandle.safeParse(handleCandidateFrom("__we!rd name__@x")).success).toBe(true);
  });
});

describe("display names", () => {
  test("refuse invisible and format characters, but keep emoji sequences", () => {
    for (const invisible of [
      "\u2060", // word joiner
      "\u200E", // left-to-right mark
      "\u200F", // right-to-left mark
      "\u00AD", // soft hyphen
      "\u061C", // Arabic letter mark
      "\u3164", // Hangul filler
      "\u180E", // Mongolian vowel separator
      "\u{E0041}", // tag character
      "\u{E007F}", // cancel tag
      "\u2064", // invisible plus
      "\u034F", // combining grapheme joiner
    ]) {
      const parsed = ZDisplayName.safeParse(`Ali${invisible}ce`);
      expect(parsed.success).toBe(false);
    }
    expect(ZDisplayName.safeParse("\u3164").success).toBe(false);
    expect(ZDisplayName.parse("Family 👨\u200D👩\u200D👧")).toBe("Family 👨\u200D👩\u200D👧");
    expect(ZDisplayName.parse("I ❤\uFE0F tea")).toBe("I ❤\uFE0F tea");
    expect(ZDisplayName.parse("Zoë Łukasz 王")).toBe("Zoë Łukasz 王");
  });

  test("must show something: variation selectors or joiners alone are refused", () => {
    expect(ZDisplayName.safeParse("\uFE0F").success).toBe(false);
    expect(ZDisplayName.safeParse("\u200D\u200C").success).toBe(false);
  });

  test("refuse a lone surrogate (not well-formed UTF-16)", () => {
    expect(ZDisplayName.safeParse("Ali\uD800ce").success).toBe(false);
    expect(ZDisplayName.safeParse("Ali\uDC00").success).toBe(false);
  });
});
