import { describe, expect, test } from "bun:test";
import { ERROR_REASON, errorReasonOf, isParleyError, ParleyError } from "./errors";

describe("isParleyError", () => {
  test("recognises an error from another copy of this module, which instanceof does not", async () => {
    // Bun evaluates a module again under another query string: what `next dev` does to a package.
    const copy = (await import(`${import.meta.dir}/errors.ts?second-copy`)) as typeof import("./errors");
    const foreign = new copy.ParleyError("CONFLICT", "this handle is taken");
    expect(foreign).not.toBeInstanceOf(ParleyError);
    expect(isParleyError(foreign)).toBe(true);
  });

  test("recognises the shape alone (a plain object from another realm)", () => {
    expect(isParleyError({ kind: "parley.error", code: "UNAUTHORIZED", message: "no" })).toBe(true);
  });

  test("refuses errors without the brand, unknown codes and non-objects", () => {
    const unbranded = Object.assign(new Error("wrong handle or password"), { code: "UNAUTHORIZED" });
    expect(isParleyError(unbranded)).toBe(false);
    expect(isParleyError({ kind: "parley.error", code: "ER_DUP_ENTRY", message: "sql" })).toBe(false);
    expect(isParleyError({ kind: "parley.error", code: "CONFLICT" })).toBe(false);
    expect(isParleyError(null)).toBe(false);
    expect(isParleyError("CONFLICT")).toBe(false);
  });
});

describe("errorReasonOf", () => {
  test("reads a known reason from details; anything else is null", () => {
    expect(errorReasonOf({ reason: ERROR_REASON.REFRESH_TOKEN_EXPIRED })).toBe("refresh_token_expired");
    expect(errorReasonOf({ reason: "made_up" })).toBeNull();
    expect(errorReasonOf({ expectedClientSeq: 4 })).toBeNull();
    expect(errorReasonOf(undefined)).toBeNull();
  });
});
