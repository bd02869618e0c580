import { describe, expect, test } from "bun:test";
import { findSearchMatches, messageSearchWords } from "./search";

describe("message search words", () => {
  test("folded, three characters or more, distinct, at most six", () => {
    expect(messageSearchWords("Café, to BUDGET budget? +x* -no")).toEqual(["cafe", "budget"]);
    expect(messageSearchWords("aaa bbb ccc ddd eee fff ggg")).toHaveLength(6);
    expect(messageSearchWords('a b "" ()')).toEqual([]);
  });

  test("matches are word prefixes, located in the original text", () => {
    const text = "Le café budgeté, rebudget";
    expect(findSearchMatches(text, ["cafe", "budget"]).map(([s, e]) => text.slice(s, e))).toEqual([
      "café",
      "budget",
    ]);
  });
});
