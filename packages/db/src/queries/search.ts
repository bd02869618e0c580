import { and, asc, eq, inArray, like, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { userSearchTerms } from "../schema/search";
import { type TimelineMessage, type TimelineSqlRow, toTimelineMessage } from "./message";
import { rowsOf } from "./result";

export type UserSearchTerm = { prefix: string; term: string; kind: "handle" | "name" };

/** Adds a user's terms; a term already there is kept (re-indexing the same name is a no-op). */
export async function insertUserSearchTerms(
  db: DbOrTx,
  userId: string,
  terms: readonly UserSearchTerm[],
): Promise<void> {
  if (terms.length === 0) return;
  await db
    .insert(userSearchTerms)
    .ignore()
    .values(terms.map((term) => ({ ...term, userId })));
}

/**
 * Removes some of a user's terms (those of an old display name). Routed by the prefixes: each one
 * names the shard its rows live on.
 */
export async function deleteUserSearchTerms(
  db: DbOrTx,
  userId: string,
  terms: readonly UserSearchTerm[],
): Promise<void> {
  if (terms.length === 0) return;
  const prefixes = [...new Set(terms.map((term) => term.prefix))];
  await db.delete(userSearchTerms).where(
    and(
      inArray(userSearchTerms.prefix, prefixes),
      eq(userSearchTerms.userId, userId),
      inArray(
        userSearchTerms.term,
        terms.map((term) => term.term),
      ),
    ),
  );
}

/**
 * A page of users in id order, for rebuilding the people-search index from the users rows. A rebuild
 * walks every user, so it is not keyed by one: on Vitess it runs once per shard (target `parley/-80`
 * and so on), as the per-shard jobs do.
 */
export async function listUsersForSearchIndex(
  db: DbOrTx,
  page: { afterId: string | null; limit: number },
): Promise<{ id: string; handle: string; displayName: string }[]> {
  const after = page.afterId === null ? sql`` : sql`WHERE id > ${page.afterId}`;
  const rows = rowsOf<{ id: unknown; handle: unknown; display_name: unknown }>(
    await db.execute(sql`
      SELECT /* vitess:shard-targeted */ id, handle, display_name FROM users ${after}
       ORDER BY id LIMIT ${page.limit}`),
  );
  return rows.map((row) => ({
    id: String(row.id),
    handle: String(row.handle),
    displayName: String(row.display_name),
  }));
}

/** `%` and `_` are LIKE wildcards and handles may contain `_`: match them literally. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * Terms starting with `query` (already normalised), in term order, on the one shard of `prefix`: a
 * range read of the primary key (prefix, term, …). Several rows may name one user (handle and name).
 */
export async function findUserSearchTerms(
  db: DbOrTx,
  search: { prefix: string; query: string; limit: number },
): Promise<{ userId: string; term: string; kind: "handle" | "name" }[]> {
  return db
    .select({ userId: userSearchTerms.userId, term: userSearchTerms.term, kind: userSearchTerms.kind })
    .from(userSearchTerms)
    .where(
      and(
        eq(userSearchTerms.prefix, search.prefix),
        like(userSearchTerms.term, `${escapeLike(search.query)}%`),
      ),
    )
    .orderBy(asc(userSearchTerms.term), asc(userSearchTerms.userId))
    .limit(search.limit);
}

export type MessageSearchHit = TimelineMessage;

/**
 * Messages of `dialogIds` whose current text matches `booleanQuery` (InnoDB FULLTEXT, boolean mode,
 * built by the caller from sanitised words), newest first, older than `beforeMsgId` when paging.
 * Every table is pinned by dialog_id (an IN over the caller's own dialogs: one shard per dialog), and
 * the join to the caller's member row enforces membership and its joined_seq in the same statement:
 * a dialog the caller is not in yields nothing, and a later joiner never finds what came before.
 * Only committed messages on the timeline match, by their current text: an edit rewrites the
 * target's content (search_text follows), a delete empties it, and the rows that carry a change
 * (kinds edit, delete, reaction — an edit row keeps a copy of the new text) are never results.
 * Snowflake ids order by time, so `id` is the cursor.
 */
export async function searchDialogMessages(
  db: DbOrTx,
  search: {
    userId: string;
    dialogIds: readonly string[];
    booleanQuery: string;
    beforeMsgId: string | null;
    limit: number;
  },
): Promise<MessageSearchHit[]> {
  if (search.dialogIds.length === 0) return [];
  const ids = sql.join(
    search.dialogIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const before = search.beforeMsgId === null ? sql`` : sql`AND m.id < ${search.beforeMsgId}`;
  const rows = rowsOf<TimelineSqlRow>(
    await db.execute(sql`
      SELECT m.id, m.dialog_id, t.seq, m.sender_id, m.sender_client_id, m.client_msg_id, m.client_seq,
             m.content, m.created_at
        FROM messages m
        JOIN dialog_messages t ON t.dialog_id = m.dialog_id AND t.msg_id = m.id
        JOIN dialog_members dm ON dm.dialog_id = m.dialog_id AND dm.user_id = ${search.userId}
       WHERE m.dialog_id IN (${ids}) AND t.dialog_id IN (${ids}) AND dm.dialog_id IN (${ids})
         AND m.status = 'committed' AND m.kind NOT IN ('edit', 'delete', 'reaction', 'deleted') AND t.seq > dm.joined_seq
         AND MATCH (m.search_text) AGAINST (${search.booleanQuery} IN BOOLEAN MODE)
         ${before}
       ORDER BY m.id DESC
       LIMIT ${search.limit}`),
  );
  return rows.map(toTimelineMessage);
}
