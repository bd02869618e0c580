import {
  deleteUserSearchTerms,
  insertUserSearchTerms,
  listUsersForSearchIndex,
  type UserSearchTerm,
} from "@parley/db/queries";
import type { AuthDeps } from "./deps";
import { normaliseHandle } from "./handle";

/**
 * People search keys terms by their first SEARCH_PREFIX_LENGTH characters (the shard key of
 * user_search_terms), so a query needs at least that many: a shorter one would have to read every
 * shard, and would also be the cheapest way to list everyone.
 */
export const SEARCH_PREFIX_LENGTH = 3;
const TERM_MAX_LENGTH = 64;

/**
 * One searchable form of a name: compatibility forms folded (NFKC), accents dropped (`josé` is found
 * by `jose`), lower case, runs of separators collapsed to one space. Queries go through the same
 * function, so what is typed and what is stored compare byte for byte.
 */
export function normaliseSearchText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}_.-]+/gu, " ")
    .trim();
}

function prefixOf(term: string): string {
  return Array.from(term).slice(0, SEARCH_PREFIX_LENGTH).join("");
}

/**
 * What a user is found by: the handle, each word of the display name, and the whole name (so
 * `ann le` finds Ann Lee). Terms shorter than the prefix cannot be searched for and are left out.
 */
export function userSearchTermsOf(user: { handle: string; displayName: string }): UserSearchTerm[] {
  const terms = new Map<string, UserSearchTerm>();
  const add = (term: string, kind: UserSearchTerm["kind"]) => {
    const clipped = Array.from(term).slice(0, TERM_MAX_LENGTH).join("");
    if (Array.from(clipped).length < SEARCH_PREFIX_LENGTH || terms.has(clipped)) return;
    terms.set(clipped, { prefix: prefixOf(clipped), term: clipped, kind });
  };
  add(normaliseHandle(user.handle), "handle");
  const name = normaliseSearchText(user.displayName);
  for (const word of name.split(/[ _.-]+/)) add(word, "name");
  add(name, "name");
  return [...terms.values()];
}

/** A query's shard prefix and its normalised text, or null when it is too short to search. */
export function parsePeopleQuery(query: string): { prefix: string; query: string } | null {
  const normalised = normaliseSearchText(query);
  if (Array.from(normalised).length < SEARCH_PREFIX_LENGTH) return null;
  return { prefix: prefixOf(normalised), query: normalised };
}

/** Indexes a new user. The users row is the truth; this derived index is rebuilt from it. */
export async function indexUserForSearch(
  db: AuthDeps["db"],
  user: { id: string; handle: string; displayName: string },
): Promise<void> {
  await insertUserSearchTerms(db, user.id, userSearchTermsOf(user));
}

/** After a display-name change: drops the old name's terms the new one no longer has, adds the new. */
export async function reindexUserForSearch(
  db: AuthDeps["db"],
  user: { id: string; handle: string },
  names: { before: string; after: string },
): Promise<void> {
  const before = userSearchTermsOf({ handle: user.handle, displayName: names.before });
  const after = userSearchTermsOf({ handle: user.handle, displayName: names.after });
  const kept = new Set(after.map((term) => term.term));
  await deleteUserSearchTerms(
    db,
    user.id,
    before.filter((term) => !kept.has(term.term)),
  );
  await insertUserSearchTerms(db, user.id, after);
}

/**
 * Writes every user's terms (users created before the index existed, or a crash between the users
 * row and its terms). Idempotent: terms already there are kept. Answers how many users it read.
 */
export async function reindexAllUsersForSearch(db: AuthDeps["db"], batch = 500): Promise<number> {
  let afterId: string | null = null;
  let count = 0;
  for (;;) {
    const page = await listUsersForSearchIndex(db, { afterId, limit: batch });
    for (const user of page) await indexUserForSearch(db, user);
    count += page.length;
    const last = page.at(-1);
    if (!last || page.length < batch) return count;
    afterId = last.id;
  }
}
