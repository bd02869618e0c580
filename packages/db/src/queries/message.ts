import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { messages } from "../schema/message";
import { affectedRowsOf, ER_DUP_ENTRY, mysqlErrno, rowsOf, toDate, toNumber } from "./result";

export type MessageStatus = "pending" | "committed" | "failed";
export type MessageRow = typeof messages.$inferSelect;

export type NewMessage = {
  dialogId: string;
  id: string;
  senderId: string;
  senderClientId: string;
  clientMsgId: string;
  clientSeq: number;
  kind: string;
  content: unknown;
  createdAt: Date;
};

/**
 * Try: inserts the pending message only if the sender is a member, in one statement (INSERT …
 * SELECT from the member row). Answers "inserted", "not-member", or "duplicate" when
 * (dialog, sender client, client_msg_id) exists — a retry; the caller then reads the original row.
 * A plain INSERT and its duplicate-key error, not ON DUPLICATE KEY UPDATE: mysql2 connects with
 * FOUND_ROWS, which makes a no-op upsert report one affected row and hides the difference.
 */
export async function insertPendingMessage(
  db: DbOrTx,
  message: NewMessage,
): Promise<"inserted" | "not-member" | "duplicate"> {
  const m = message;
  try {
    const result = await db.execute(sql`
      INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id, client_seq, kind,
                            content, status, seq, created_at, updated_at)
      SELECT ${m.dialogId}, ${m.id}, ${m.senderId}, ${m.senderClientId}, ${m.clientMsgId}, ${m.clientSeq},
             ${m.kind}, ${JSON.stringify(m.content)}, 'pending', NULL, ${m.createdAt}, ${m.createdAt}
        FROM dialog_members WHERE dialog_id = ${m.dialogId} AND user_id = ${m.senderId}`);
    return affectedRowsOf(result) === 1 ? "inserted" : "not-member";
  } catch (error) {
    if (mysqlErrno(error) === ER_DUP_ENTRY) return "duplicate";
    throw error;
  }
}

export async function findMessageByClientMsgId(
  db: DbOrTx,
  dialogId: string,
  senderClientId: string,
  clientMsgId: string,
): Promise<MessageRow | null> {
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.dialogId, dialogId),
        eq(messages.senderClientId, senderClientId),
        eq(messages.clientMsgId, clientMsgId),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

export async function getMessage(db: DbOrTx, dialogId: string, msgId: string): Promise<MessageRow | null> {
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.dialogId, dialogId), eq(messages.id, msgId)))
    .limit(1);
  return rows[0] ?? null;
}

/** Settles a message; only a pending row changes (a settled decision is final). */
export async function settleMessage(
  db: DbOrTx,
  dialogId: string,
  msgId: string,
  outcome: { status: "committed"; seq: number } | { status: "failed" },
): Promise<boolean> {
  const seq = outcome.status === "committed" ? outcome.seq : null;
  const result = await db.execute(sql`
    UPDATE messages SET status = ${outcome.status}, seq = ${seq}, updated_at = NOW(3)
     WHERE dialog_id = ${dialogId} AND id = ${msgId} AND status = 'pending'`);
  return affectedRowsOf(result) === 1;
}

export type TimelineMessage = {
  id: string;
  dialogId: string;
  seq: number;
  senderId: string;
  senderClientId: string;
  clientMsgId: string;
  clientSeq: number;
  content: unknown;
  createdAt: Date;
};

export type TimelineSqlRow = {
  id: unknown;
  dialog_id: unknown;
  seq: unknown;
  sender_id: unknown;
  sender_client_id: unknown;
  client_msg_id: unknown;
  client_seq: unknown;
  content: unknown;
  created_at: unknown;
};

export function toTimelineMessage(row: TimelineSqlRow): TimelineMessage {
  return {
    id: String(row.id),
    dialogId: String(row.dialog_id),
    seq: toNumber(row.seq),
    senderId: String(row.sender_id),
    senderClientId: String(row.sender_client_id),
    clientMsgId: String(row.client_msg_id),
    clientSeq: toNumber(row.client_seq),
    content: typeof row.content === "string" ? JSON.parse(row.content) : row.content,
    createdAt: toDate(row.created_at),
  };
}

/**
 * A page of the timeline joined to message content, on one shard. Commit order is seq order (seq is
 * assigned under the dialog lock held to commit), so a reader never sees seq N+1 without N.
 */
export async function listTimeline(
  db: DbOrTx,
  dialogId: string,
  range: { afterSeq: number; beforeSeq: number; limit: number; newestFirst: boolean },
): Promise<TimelineMessage[]> {
  const order = range.newestFirst ? sql`DESC` : sql`ASC`;
  const rows = rowsOf<TimelineSqlRow>(
    await db.execute(sql`
      SELECT m.id, m.dialog_id, t.seq, m.sender_id, m.sender_client_id, m.client_msg_id, m.client_seq,
             m.content, m.created_at
        FROM dialog_messages t
        JOIN messages m ON m.dialog_id = t.dialog_id AND m.id = t.msg_id
       WHERE t.dialog_id = ${dialogId} AND m.dialog_id = ${dialogId}
         AND t.seq > ${range.afterSeq} AND t.seq < ${range.beforeSeq}
       ORDER BY t.seq ${order}
       LIMIT ${range.limit}`),
  );
  return rows.map(toTimelineMessage);
}

/** The timeline seq of a message, if Confirm placed it. */
export async function getTimelineSeq(db: DbOrTx, dialogId: string, msgId: string): Promise<number | null> {
  const rows = rowsOf<{ seq: unknown }>(
    await db.execute(
      sql`SELECT seq FROM dialog_messages WHERE dialog_id = ${dialogId} AND msg_id = ${msgId}`,
    ),
  );
  const row = rows[0];
  return row ? toNumber(row.seq) : null;
}

/**
 * Reconciler scan of one shard: pending messages older than `olderThanMs` (database clock). Intentionally not keyed by
 * dialog — it runs per shard, so it carries the shard-targeted marker the scatter guard accepts.
 */
export async function listStalePendingMessages(
  db: DbOrTx,
  olderThanMs: number,
  limit: number,
): Promise<{ dialogId: string; id: string; senderClientId: string; clientSeq: number }[]> {
  const rows = rowsOf<{ dialog_id: unknown; id: unknown; sender_client_id: unknown; client_seq: unknown }>(
    await db.execute(sql`
      SELECT /* vitess:shard-targeted */ dialog_id, id, sender_client_id, client_seq
        FROM messages
       WHERE status = 'pending' AND created_at < NOW(3) - INTERVAL ${olderThanMs * 1000} MICROSECOND
       ORDER BY created_at
       LIMIT ${limit}`),
  );
  return rows.map((row) => ({
    dialogId: String(row.dialog_id),
    id: String(row.id),
    senderClientId: String(row.sender_client_id),
    clientSeq: toNumber(row.client_seq),
  }));
}
