import { parsePeopleQuery, SEARCH_PREFIX_LENGTH } from "@parley/auth";
import { findUserSearchTerms, listContactIds } from "@parley/db/queries";
import { ERROR_REASON } from "@parley/protocol";
import type { Actor } from "../actor";
import { AppError } from "../errors";
import type { LimitDeps } from "../limits/rate-limit";
import { enforcePeopleSearchRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";

/**
 * At most this many people per search, and no next page: a search names a few people to pick from,
 * not a directory to page through (docs/auth.md, "Abuse limits").
 */
export const PEOPLE_SEARCH_RESULTS = 10;
/** Term rows read per search: one person may match by handle, a name word and the whole name. */
const TERM_ROWS_READ = PEOPLE_SEARCH_RESULTS * 4;

export type PersonHit = {
  id: string;
  handle: string;
  displayName: string;
  /** Shares a dialog with the caller (ranked first). */
  isContact: boolean;
};

/**
 * People whose handle or a word of whose display name starts with the query (at least three
 * characters after folding case and accents). One range read on the shard that owns the query's
 * three-character prefix, then the profiles (an IN on the users' key) and which of them are the
 * caller's contacts (the caller's inbox rows). Budgeted before anything is read, misses included.
 * Ranking: an exact handle first, then contacts, then alphabetical by the matching term.
 */
export async function searchPeople(
  deps: LimitDeps & Pick<CoreServices, "db" | "auth">,
  actor: Actor,
  query: string,
): Promise<PersonHit[]> {
  const parsed = parsePeopleQuery(query);
  if (!parsed) {
    throw new AppError("BAD_REQUEST", `type at least ${SEARCH_PREFIX_LENGTH} letters or digits`, {
      reason: ERROR_REASON.SEARCH_QUERY_TOO_SHORT,
    });
  }
  await enforcePeopleSearchRateLimit(deps, actor);
  const rows = await findUserSearchTerms(deps.db, { ...parsed, limit: TERM_ROWS_READ });
  const order = new Map<string, { rank: number; exact: boolean }>();
  for (const row of rows) {
    if (row.userId === actor.userId || order.has(row.userId)) continue;
    order.set(row.userId, { rank: order.size, exact: row.kind === "handle" && row.term === parsed.query });
  }
  const ids = [...order.keys()];
  if (ids.length === 0) return [];
  const [users, contacts] = await Promise.all([
    deps.auth.getUsers(ids),
    listContactIds(deps.db, actor.userId, ids, deps.options.inboxScanLimit),
  ]);
  const score = (id: string) => {
    const entry = order.get(id) ?? { rank: Number.MAX_SAFE_INTEGER, exact: false };
    return [entry.exact ? 0 : 1, contacts.has(id) ? 0 : 1, entry.rank] as const;
  };
  return users
    .map((user) => ({
      id: user.id,
      handle: user.handle,
      displayName: user.displayName,
      isContact: contacts.has(user.id),
    }))
    .sort((a, b) => {
      const [x, y] = [score(a.id), score(b.id)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    })
    .slice(0, PEOPLE_SEARCH_RESULTS);
}
