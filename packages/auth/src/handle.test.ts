import { describe, expect, test } from "bun:test";
import { handleCandidateFrom, normaliseHandle, ZHandle } from "./handle";

describe("handles", () => {
  test("normalisation folds width, case and compatibility forms", () => {
    expect(normaliseHandle("Alice")).toBe("alice");
    expect(normaliseHandle("ＡＬＩＣＥ")).toBe("alice");
    expect(normaliseHandle("Straße")).toBe(normaliseHandle("STRASSE"));
    expect(normaliseHandle("ﬁsh")).toBe("fish");
    expect(normaliseHandle("bob")).not.toBe(normaliseHandle("b0b"));
  });

  test("the rules accept letters, digits and _ . - only", () => {
    expect(ZHandle.parse(" José_1 ")).toBe("José_1");
    expect(ZHandle.safeParse("ab").success).toBe(false);
    expect(ZHandle.safeParse("a".repeat(33)).success).toBe(false);
    expect(ZHandle.safeParse("_leading").success).toBe(false);
    expect(ZHandle.safeParse("has space").success).toBe(false);
    expect(ZHandle.safeParse("emoji😀").success).toBe(false);
  });

  test("OIDC claims become valid handle candidates", () => {
    expect(handleCandidateFrom("alice@example.com")).toBe("alice");
    expect(handleCandidateFrom("x")).toBe("user");
    expect(handleCandidateFrom(undefined)).toBe("user");
    expect(ZHandle.safeParse(handleCandidateFrom("__we!rd name__@x")).success).toBe(true);
  });
});
