import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../client";
import { rowsOf, toDateOrNull, toNumber } from "./result";

/**
 * The message life cycle on the dialog's shard: a message's current state (kept on its row), the
 * changes Confirm applies under the dialog lock, and the reaction aggregate. Every statement is
 * keyed by dialog_id (one shard). docs/design.md "Message life cycle".
 */

export type StoredReaction = { emoji: string; count: number; userIds: string[] };

/** A message's row as the life cycle needs it (current content and state). */
export type MessageStateRow = {
  id: string;
  seq: number | null;
  senderId: string;
  kind: string;
  status: string;
  content: unknown;
  version: number;
  editedAt: Date | null;
  reactions: StoredReaction[];
};

type StateSqlRow = {
  id: unknown;
  seq: unknown;
  sender_id: unknown;
  kind: unknown;
  status: unknown;
  content: unknown;
  version: unknown;
  edited_at: unknown;
  reactions: unknown;
};

const parseJson = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value);

function toStateRow(row: StateSqlRow): MessageStateRow {
  const reactions = parseJson(row.reactions);
  return {
    id: String(row.id),
    seq: row.seq == null ? null : toNumber(row.seq),
    senderId: String(row.sender_id),
    kind: String(row.kind),
    status: String(row.status),
    content: parseJson(row.content),
    version: toNumber(row.version),
    editedAt: toDateOrNull(row.edited_at),
    reactions: Array.isArray(reactions) ? (reactions as StoredReaction[]) : [],
  };
}

/** Current content and state of messages of one dialog (page rows, change targets, reply originals). */
export async function getMessageStates(
  db: DbOrTx,
  dialogId: string,
  msgIds: readonly string[],
): Promise<MessageStateRow[]> {
  if (msgIds.length === 0) return [];
  const ids = sql.join(
    [...new Set(msgIds)].map((msgId) => sql`${msgId}`),
    sql`, `,
  );
  const rows = rowsOf<StateSqlRow>(
    await db.execute(sql`
      SELECT id, seq, sender_id, kind, status, content, version, edited_at, reactions
        FROM messages WHERE dialog_id = ${dialogId} AND id IN (${ids})`),
  );
  return rows.map(toStateRow);
}

export async function getMessageState(
  db: DbOrTx,
  dialogId: string,
  msgId: string,
): Promise<MessageStateRow | null> {
  return (await getMessageStates(db, dialogId, [msgId]))[0] ?? null;
}

/** Which of these messages the user reacted to, with which emoji (the "mine" of a page). */
export async function listOwnReactions(
  db: DbOrTx,
  dialogId: string,
  userId: string,
  msgIds: readonly string[],
): Promise<{ messageId: string; emoji: string }[]> {
  if (msgIds.length === 0) return [];
  const ids = sql.join(
    [...new Set(msgIds)].map((msgId) => sql`${msgId}`),
    sql`, `,
  );
  const rows = rowsOf<{ message_id: unknown; emoji: unknown }>(
    await db.execute(sql`
      SELECT message_id, emoji FROM message_reactions
       WHERE dialog_id = ${dialogId} AND user_id = ${userId} AND message_id IN (${ids})`),
  );
  return rows.map((row) => ({ messageId: String(row.message_id), emoji: String(row.emoji) }));
}

export type AppliedChange =
  | { kind: "edit"; text: string }
  | { kind: "delete" }
  | { kind: "reaction"; emoji: string; on: boolean; userId: string; maxKinds: number; listed: number };

/**
 * Applies one change to its target inside Confirm's transaction (the dialog lock is held, so no
 * other change of this dialog interleaves). `seq` is the change's own seq: the target's version
 * becomes it, and a target already at a higher version (never the case under the lock; a guard) or
 * deleted is left as it is. Answers the target as it is afterwards, or null if it does not exist.
 */
export async function applyMessageChange(
  tx: Tx,
  key: { dialogId: string; targetId: string; changeId: string; seq: number; at: Date },
  change: AppliedChange,
): Promise<MessageStateRow | null> {
  const { dialogId, targetId, seq, at } = key;
  const target = await getMessageState(tx, dialogId, targetId);
  if (target?.status !== "committed") return target;
  const isLive = target.kind !== "deleted" && target.version < seq;
  if (change.kind === "edit" && isLive) {
    await tx.execute(sql`
      UPDATE messages SET content = JSON_SET(content, '$.text', ${change.text}), edited_at = ${at},
                          version = ${seq}, updated_at = NOW(3)
       WHERE dialog_id = ${dialogId} AND id = ${targetId}`);
  }
  if (change.kind === "delete" && isLive) {
    // Gone from the server, not only hidden: the text, its earlier edits and the reactions.
    await tx.execute(sql`
      UPDATE messages SET kind = 'deleted', content = '{"kind":"deleted"}', reactions = NULL,
                          edited_at = NULL, version = ${seq}, updated_at = NOW(3)
       WHERE dialog_id = ${dialogId} AND id = ${targetId}`);
    await tx.execute(sql`
      UPDATE messages SET content = JSON_REMOVE(content, '$.text')
       WHERE dialog_id = ${dialogId} AND target_id = ${targetId} AND kind = 'edit'`);
    await tx.execute(
      sql`DELETE FROM message_reactions WHERE dialog_id = ${dialogId} AND message_id = ${targetId}`,
    );
  }
  if (change.kind === "reaction" && isLive) {
    const summary = await react(tx, { dialogId, messageId: targetId, at }, change, target.reactions);
    await tx.execute(sql`
      UPDATE messages SET reactions = ${JSON.stringify(summary)}, version = ${seq}, updated_at = NOW(3)
       WHERE dialog_id = ${dialogId} AND id = ${targetId}`);
  }
  // The change row points at its target (a later delete finds the edit rows to clear); an edit that
  // lost the race to a delete keeps no copy of the text either.
  await tx.execute(sql`
    UPDATE messages SET target_id = ${targetId},
                        content = IF(kind = 'edit' AND ${isLive ? 0 : 1} = 1, JSON_REMOVE(content, '$.text'), content)
     WHERE dialog_id = ${dialogId} AND id = ${key.changeId}`);
  return getMessageState(tx, dialogId, targetId);
}

/**
 * Adds or removes one (message, emoji, user) row — idempotent — and recounts that message's
 * summary: exact counts, the first `listed` reactors per emoji. A new emoji past `maxKinds` is not
 * added (the pre-check refuses it with a clear error; this only closes the race).
 */
async function react(
  tx: Tx,
  key: { dialogId: string; messageId: string; at: Date },
  change: Extract<AppliedChange, { kind: "reaction" }>,
  current: StoredReaction[],
): Promise<StoredReaction[]> {
  const { dialogId, messageId, at } = key;
  const isNewKind = !current.some((r) => r.emoji === change.emoji);
  if (change.on && !(isNewKind && current.length >= change.maxKinds)) {
    await tx.execute(sql`
      INSERT INTO message_reactions (dialog_id, message_id, emoji, user_id, created_at)
      VALUES (${dialogId}, ${messageId}, ${change.emoji}, ${change.userId}, ${at})
      ON DUPLICATE KEY UPDATE created_at = created_at`);
  }
  if (!change.on) {
    await tx.execute(sql`
      DELETE FROM message_reactions
       WHERE dialog_id = ${dialogId} AND message_id = ${messageId} AND emoji = ${change.emoji}
         AND user_id = ${change.userId}`);
  }
  const counts = rowsOf<{ emoji: unknown; n: unknown }>(
    await tx.execute(sql`
      SELECT emoji, COUNT(*) AS n, MIN(created_at) AS first_at FROM message_reactions
       WHERE dialog_id = ${dialogId} AND message_id = ${messageId}
       GROUP BY emoji ORDER BY first_at, emoji`),
  );
  const listed = rowsOf<{ emoji: unknown; user_id: unknown }>(
    await tx.execute(sql`
      SELECT emoji, user_id FROM (
        SELECT emoji, user_id, created_at,
               ROW_NUMBER() OVER (PARTITION BY emoji ORDER BY created_at, user_id) AS n
          FROM message_reactions WHERE dialog_id = ${dialogId} AND message_id = ${messageId}) ranked
       WHERE n <= ${change.listed} ORDER BY created_at, user_id`),
  );
  return counts.map((row) => {
    const emoji = String(row.emoji);
    return {
      emoji,
      count: toNumber(row.n),
      userIds: listed.filter((r) => String(r.emoji) === emoji).map((r) => String(r.user_id)),
    };
  });
}
