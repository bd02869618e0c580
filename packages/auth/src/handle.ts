import { isWellFormedText, WELL_FORMED_TEXT_MESSAGE } from "@parley/protocol";
import { z } from "zod";

/**
 * Handle rules in one place. A handle is 3–32 characters of ASCII lowercase letters, digits, `_`, `.`
 * and `-`, starting with a letter or digit. ASCII only, as Matrix and Mattermost do: a handle is how
 * people find and recognise each other, and with Unicode letters `аlice` (Cyrillic а), `bοb` (Greek
 * ο) or `alice` + a Hangul filler look exactly like `alice`. Upper case is folded to lower case on the
 * way in (and full-width forms by NFKC), so `Alice` and `ＡＬＩＣＥ` both become `alice`; what is
 * stored and shown is what was checked.
 */
export const HANDLE_MIN_LENGTH = 3;
export const HANDLE_MAX_LENGTH = 32;
const HANDLE_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
const HANDLE_RULE = "handle may use only a–z, 0–9, _ . - (ASCII) and must start with a letter or digit";

/**
 * The key uniqueness is decided on. Kept as it was for handles made before the ASCII rule (NFKC folds
 * compatibility forms, the upper→lower round trip approximates Unicode case folding): their owners
 * still sign in with them. For a new (ASCII) handle it is simply the lower-case form.
 */
export function normaliseHandle(handle: string): string {
  return handle.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

export const ZHandle = z
  .string()
  .max(256, `handle must be at most ${HANDLE_MAX_LENGTH} characters`)
  // Only ASCII letters are folded: toLowerCase on other scripts could map a look-alike into range.
  .transform((value) =>
    value
      .normalize("NFKC")
      .trim()
      .replace(/[A-Z]+/g, (upper) => upper.toLowerCase()),
  )
  .pipe(
    z
      .string()
      .min(HANDLE_MIN_LENGTH, `handle must be at least ${HANDLE_MIN_LENGTH} characters`)
      .max(HANDLE_MAX_LENGTH, `handle must be at most ${HANDLE_MAX_LENGTH} characters`)
      .regex(HANDLE_PATTERN, HANDLE_RULE),
  );

/**
 * Characters a reader cannot see or that change how what follows is shown: controls (C0, C1, line and
 * paragraph separators), every format character (Cf: bidi marks, embeddings, overrides and isolates,
 * zero-width space, word joiner, soft hyphen, Arabic letter mark, Mongolian vowel separator, BOM, tag
 * characters) and every other default-ignorable code point (Hangul fillers, the combining grapheme
 * joiner, invisible operators). `evil\u202Egnp.exe` shows as `evilexe.png`; a Hangul filler makes a
 * name look empty or like someone else's. Names and titles other people see may not contain them.
 * Exempt: ZWJ and ZWNJ (emoji sequences and several scripts need them) and the variation selectors
 * U+FE00–FE0F (emoji presentation, `❤️`), which only modify the character before them.
 */
export const INVISIBLE_OR_CONTROL =
  /(?!\u200C|\u200D|[\uFE00-\uFE0F])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/** What is left of a name once the allowed invisibles and white space are removed: something to see. */
const ALLOWED_INVISIBLE_OR_SPACE = /\u200C|\u200D|[\uFE00-\uFE0F]|\s/gu;

/** Removes what INVISIBLE_OR_CONTROL matches and lone surrogates (names from OIDC claims, user agents). */
export function stripInvisible(value: string): string {
  return value.replace(new RegExp(INVISIBLE_OR_CONTROL.source, "gu"), "").replace(/[\uD800-\uDFFF]/gu, "");
}

function isVisibleText(value: string): boolean {
  return value.replace(ALLOWED_INVISIBLE_OR_SPACE, "").length > 0;
}

/**
 * A name or title other people see, trimmed: well-formed, at most `maxLength` characters, no
 * invisible or control characters, and at least one visible character. `what` names the field in
 * the messages ("display name", "title").
 */
export function ZVisibleName(what: string, maxLength: number) {
  return z
    .string()
    .transform((value) => value.trim())
    .pipe(
      z
        .string()
        .min(1, `${what} must not be empty`)
        .max(maxLength, `${what} is at most ${maxLength} characters`)
        .refine(isWellFormedText, `${what}: ${WELL_FORMED_TEXT_MESSAGE}`)
        .refine(
          (value) => !INVISIBLE_OR_CONTROL.test(value),
          `${what} may not contain invisible, control or bidi characters`,
        )
        .refine(isVisibleText, `${what} must contain a visible character`),
    );
}

export const ZDisplayName = ZVisibleName("display name", 64);

/** Turns an OIDC claim (preferred_username, email) into a valid handle candidate. */
export function handleCandidateFrom(raw: string | undefined): string {
  const base = (raw ?? "")
    .split("@")[0]
    ?.normalize("NFKC")
    // Accents come off (José → jose); letters of other scripts go: handles are ASCII.
    .normalize("NFD")
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, "")
    .replace(/^[_.-]+/, "")
    .slice(0, HANDLE_MAX_LENGTH - 5);
  return base && base.length >= HANDLE_MIN_LENGTH ? base : "user";
}
