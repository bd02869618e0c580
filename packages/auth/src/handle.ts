import { z } from "zod";

/**
 * Handle rules in one place. A handle is 3–32 characters of letters, digits, `_`, `.` and `-`,
 * starting with a letter or digit. Uniqueness is decided on the normalised form.
 */
export const HANDLE_MIN_LENGTH = 3;
export const HANDLE_MAX_LENGTH = 32;
const HANDLE_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_.-]*$/u;

/**
 * NFKC folds compatibility forms (full-width letters, ligatures) and the upper→lower round trip
 * approximates Unicode case folding (ß → SS → ss), so "Alice", "ALICE" and "Ａｌｉｃｅ" collide.
 */
export function normaliseHandle(handle: string): string {
  return handle.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

export const ZHandle = z
  .string()
  .transform((value) => value.normalize("NFKC").trim())
  .pipe(
    z
      .string()
      .min(HANDLE_MIN_LENGTH, `handle must be at least ${HANDLE_MIN_LENGTH} characters`)
      .max(HANDLE_MAX_LENGTH, `handle must be at most ${HANDLE_MAX_LENGTH} characters`)
      .regex(HANDLE_PATTERN, "handle may use letters, digits, _ . - and must start with a letter or digit"),
  );

/**
 * Control characters (C0, C1, line and paragraph separators), bidi embeddings, overrides and isolates,
 * zero-width space and BOM. They are invisible or reorder what follows (`evil\u202Egnp.exe` shows as
 * `evilexe.png`), so names and titles other people see may not contain them. ZWJ and ZWNJ stay
 * allowed: emoji sequences and several scripts need them.
 */
export const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Zl}\p{Zp}\u200B\u202A-\u202E\u2066-\u2069\uFEFF]/u;

/** Removes what INVISIBLE_OR_CONTROL matches (for names taken from elsewhere: OIDC claims, user agents). */
export function stripInvisible(value: string): string {
  return value.replace(new RegExp(INVISIBLE_OR_CONTROL.source, "gu"), "");
}

export const ZDisplayName = z
  .string()
  .transform((value) => value.trim())
  .pipe(
    z
      .string()
      .min(1, "display name must not be empty")
      .max(64, "display name is at most 64 characters")
      .refine(
        (value) => !INVISIBLE_OR_CONTROL.test(value),
        "display name may not contain control or bidi characters",
      ),
  );

/** Turns an OIDC claim (preferred_username, email) into a valid handle candidate. */
export function handleCandidateFrom(raw: string | undefined): string {
  const base = (raw ?? "")
    .split("@")[0]
    ?.normalize("NFKC")
    .replace(/[^\p{L}\p{N}_.-]/gu, "")
    .replace(/^[_.-]+/, "")
    .slice(0, HANDLE_MAX_LENGTH - 5);
  return base && base.length >= HANDLE_MIN_LENGTH ? base : "user";
}
