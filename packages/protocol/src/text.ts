/**
 * Text that enters the system must be well-formed UTF-16. JSON can carry a lone surrogate
 * (`"\ud800"`), JavaScript strings hold it, but it is not a character: MariaDB's JSON check refuses
 * it (the request failed as a 500) and a UTF-8 column would store U+FFFD instead. With the `u` flag a
 * surrogate *pair* is one code point outside this class, so only a lone half matches.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

export const WELL_FORMED_TEXT_MESSAGE = "text must be well-formed Unicode (no lone surrogates)";
