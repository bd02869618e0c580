/**
 * Message search words, shared by the server (which turns them into a FULLTEXT query) and clients
 * (which highlight the same words in results), so what is highlighted is what matched.
 *
 * MariaDB's InnoDB FULLTEXT indexes words of at least three characters (innodb_ft_min_token_size),
 * so shorter words could never match and are dropped; each kept word matches as a prefix.
 */
export const SEARCH_WORD_MIN_LENGTH = 3;
export const SEARCH_WORDS_MAX = 6;
export const SEARCH_QUERY_MAX_LENGTH = 200;

/** Accent- and case-insensitive form of text, as FULLTEXT compares under a `_ci` collation. */
export function foldForSearch(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** The distinct searchable words of a query, in order, at most SEARCH_WORDS_MAX. */
export function messageSearchWords(query: string): string[] {
  const words = foldForSearch(query).match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept = words.filter((word) => Array.from(word).length >= SEARCH_WORD_MIN_LENGTH);
  return [...new Set(kept)].slice(0, SEARCH_WORDS_MAX);
}

/**
 * Where the words occur in `text` as word prefixes, as [start, end) offsets into `text` itself (the
 * folded copy keeps one code unit per original when accents are only dropped; when folding changes
 * lengths the text is left unhighlighted rather than marked in the wrong place).
 */
export function findSearchMatches(text: string, words: readonly string[]): [number, number][] {
  if (words.length === 0) return [];
  const folded = foldForSearch(text);
  if (folded.length !== text.length) return [];
  const matches: [number, number][] = [];
  for (const match of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    const hit = words.find((candidate) => word.startsWith(candidate));
    if (hit) matches.push([match.index, match.index + hit.length]);
  }
  return matches;
}
