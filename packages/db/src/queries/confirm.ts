import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../client";
import type { SendConnection } from "../send-pool";
import type { NewMessage } from "./message";
import { rowsOf, toDateOrNull, toNumber } from "./result";

/**
 * Confirm's reads: first the dialog row lock alone, then one plain SELECT of the state. Two
 * statements on purpose. MariaDB evaluates constant subqueries while optimising a statement — before
 * the outer FOR UPDATE waits for the lock — so folding them into the locking statement reads a stale
 * snapshot (plain subqueries) or takes gap locks ahead of the dialog lock and deadlocks (locking
 * ones); both were observed here. A consistent read issued after the lock is held gets its snapshot
 * then (the transaction's first consistent read), so it sees every earlier lock holder's commit.
 */
export type ConfirmState = {
  lastSeq: number;
  membersVersion: number;
  memberCount: number;
  /** When the group became big (docs/design.md "Big groups"), read with the lock at no extra cost. */
  fanoutSince: Date | null;
  isMember: boolean;
  lastClientSeq: number;
  isTombstoned: boolean;
  /** Set when this msg_id is already in the timeline (a second Confirm returns the first seq). */
  existingSeq: number | null;
};

type ConfirmKey = { dialogId: string; userId: string; clientId: string; msgId: string };
type StateRow = { is_member: unknown; last_client_seq: unknown; tomb: unknown; existing_seq: unknown };
type LockRow = { last_seq: unknown; members_version: unknown; member_count: unknown; fanout_since: unknown };

const lockDialogSql = (dialogId: string) =>
  sql`SELECT last_seq, members_version, member_count, fanout_since FROM dialogs WHERE id = ${dialogId} FOR UPDATE`;

const confirmStateSql = ({ dialogId, userId, clientId, msgId }: ConfirmKey) => sql`
  SELECT
    (SELECT 1 FROM dialog_members WHERE dialog_id = ${dialogId} AND user_id = ${userId}) AS is_member,
    (SELECT last_client_seq FROM dialog_client_seqs
      WHERE dialog_id = ${dialogId} AND client_id = ${clientId}) AS last_client_seq,
    (SELECT 1 FROM message_tombstones WHERE dialog_id = ${dialogId} AND msg_id = ${msgId}) AS tomb,
    (SELECT seq FROM dialog_messages WHERE dialog_id = ${dialogId} AND msg_id = ${msgId}) AS existing_seq`;

function toLockedDialog(row: LockRow | undefined): LockedDialog | null {
  if (!row) return null;
  return {
    lastSeq: toNumber(row.last_seq),
    membersVersion: toNumber(row.members_version),
    memberCount: toNumber(row.member_count),
    fanoutSince: toDateOrNull(row.fanout_since),
  };
}

function toConfirmState(dialog: LockedDialog, row: StateRow | undefined): ConfirmState {
  return {
    ...dialog,
    isMember: row?.is_member != null,
    lastClientSeq: row?.last_client_seq == null ? 0 : toNumber(row.last_client_seq),
    isTombstoned: row?.tomb != null,
    existingSeq: row?.existing_seq == null ? null : toNumber(row.existing_seq),
  };
}

/** The per-statement form (any driver): two round trips, inside the caller's transaction. */
export async function lockDialogForConfirm(tx: DbOrTx, key: ConfirmKey): Promise<ConfirmState | null> {
  const dialog = toLockedDialog(rowsOf<LockRow>(await tx.execute(lockDialogSql(key.dialogId)))[0]);
  if (!dialog) return null;
  return toConfirmState(dialog, rowsOf<StateRow>(await tx.execute(confirmStateSql(key)))[0]);
}

export type LockedDialog = {
  lastSeq: number;
  membersVersion: number;
  memberCount: number;
  fanoutSince: Date | null;
};

/** The dialog row lock alone (reconciler, membership changes). */
export async function lockDialogRow(tx: DbOrTx, dialogId: string): Promise<LockedDialog | null> {
  return toLockedDialog(rowsOf<LockRow>(await tx.execute(lockDialogSql(dialogId)))[0]);
}

/** Lock-free read used while a clientSeq that is ahead waits for its predecessor. */
export async function getLastClientSeq(db: DbOrTx, dialogId: string, clientId: string): Promise<number> {
  const rows = rowsOf<{ last_client_seq: unknown }>(
    await db.execute(sql`
      SELECT last_client_seq FROM dialog_client_seqs WHERE dialog_id = ${dialogId} AND client_id = ${clientId}`),
  );
  const row = rows[0];
  return row ? toNumber(row.last_client_seq) : 0;
}

export type CommitWrite = {
  dialogId: string;
  msgId: string;
  seq: number;
  senderId: string;
  clientId: string;
  clientSeq: number;
  preview: string;
  createdAt: Date;
  outboxKind: string;
  /** The outbox payload, serialised once by the caller (the same text is published). */
  outboxJson: string;
  /**
   * A change row (edit, delete, reaction) takes a seq but is not the dialog's last *message*: the
   * inbox snapshot keeps its message, and only follows an edit or delete of that very message.
   */
  change?: { targetId: string; preview: string | null };
};

/**
 * Confirm's writes, in lock order, all on the dialog's shard: the timeline row; last_seq with the
 * last-message snapshot and the sender's watermarks in one UPDATE (the sender has read everything up
 * to its own message, so unread never counts one's own messages); the clientSeq; the outbox row; and
 * the message's status `committed` with its seq (the messages row lives on the same shard, keyed by
 * dialog, so it commits atomically with the timeline row: no window where the dialog has placed the
 * message and the message store still says pending). One round trip each, inside the caller's
 * transaction; `commitConfirmBatched` is the one-round-trip form.
 */
export async function writeCommit(tx: Tx, write: CommitWrite): Promise<void> {
  const { dialogId, msgId, seq, senderId, clientId, clientSeq, createdAt } = write;
  await tx.execute(sql`INSERT INTO dialog_messages (dialog_id, seq, msg_id, sender_id, created_at)
        VALUES (${dialogId}, ${seq}, ${msgId}, ${senderId}, ${createdAt})`);
  if (write.change) {
    const { targetId, preview } = write.change;
    await tx.execute(sql`UPDATE dialogs d JOIN dialog_members m ON m.dialog_id = d.id
           SET d.last_seq = ${seq},
               d.last_preview = IF(d.last_message_id = ${targetId} AND ${preview} IS NOT NULL, ${preview}, d.last_preview),
               m.read_seq = GREATEST(m.read_seq, ${seq}), m.delivered_seq = GREATEST(m.delivered_seq, ${seq})
         WHERE d.id = ${dialogId} AND m.dialog_id = ${dialogId} AND m.user_id = ${senderId}`);
    // Unread is last_seq − read_seq: a member who had read everything stays caught up (an edit or
    // a reaction is not a new message). One who had not sees it counted — the gap docs/design.md
    // names. Delivery is untouched: the change is still pushed and synced.
    await tx.execute(sql`UPDATE dialog_members SET read_seq = ${seq}
         WHERE dialog_id = ${dialogId} AND read_seq = ${seq - 1}`);
  } else {
    await tx.execute(sql`UPDATE dialogs d JOIN dialog_members m ON m.dialog_id = d.id
           SET d.last_seq = ${seq}, d.last_message_id = ${msgId}, d.last_sender_id = ${senderId},
               d.last_preview = ${write.preview}, d.last_message_at = ${createdAt},
               m.read_seq = GREATEST(m.read_seq, ${seq}), m.delivered_seq = GREATEST(m.delivered_seq, ${seq})
         WHERE d.id = ${dialogId} AND m.dialog_id = ${dialogId} AND m.user_id = ${senderId}`);
  }
  await tx.execute(clientSeqSql(dialogId, clientId, clientSeq));
  await tx.execute(sql`INSERT INTO outbox (dialog_id, id, kind, payload, created_at)
        VALUES (${dialogId}, ${msgId}, ${write.outboxKind}, ${write.outboxJson}, NOW(3))`);
  await tx.execute(sql`UPDATE messages SET status = 'committed', seq = ${seq}, client_seq = ${clientSeq},
               updated_at = NOW(3)
        WHERE dialog_id = ${dialogId} AND id = ${msgId} AND status = 'pending'`);
}

const clientSeqSql = (dialogId: string, clientId: string, clientSeq: number) => sql`
  INSERT INTO dialog_client_seqs (dialog_id, client_id, last_client_seq, updated_at)
  VALUES (${dialogId}, ${clientId}, ${clientSeq}, NOW(3))
  ON DUPLICATE KEY UPDATE last_client_seq = GREATEST(last_client_seq, VALUES(last_client_seq)),
                          updated_at = VALUES(updated_at)`;

/** Stores the client's clientSeq; GREATEST so a failed message's number is consumed, never reused. */
export async function recordClientSeq(
  tx: DbOrTx,
  dialogId: string,
  clientId: string,
  clientSeq: number,
): Promise<void> {
  await tx.execute(clientSeqSql(dialogId, clientId, clientSeq));
}

/** Written under the dialog lock by the reconciler (or a refused Confirm): a late Confirm aborts. */
export async function insertTombstone(tx: DbOrTx, dialogId: string, msgId: string): Promise<void> {
  await tx.execute(sql`
    INSERT INTO message_tombstones (dialog_id, msg_id, created_at) VALUES (${dialogId}, ${msgId}, NOW(3))
    ON DUPLICATE KEY UPDATE msg_id = msg_id`);
}

// ---------------------------------------------------------------------------------------------------
// The batched form, on the send pool (mysql2 with multipleStatements): the same statements as above,
// fixed texts with `?` values, two round trips per send. Round trip 1 is START TRANSACTION + the lock
// + the state read; the server runs them in order, so the state read starts only once the lock is
// held. Round trip 2 is the writes + COMMIT. The caller decides in between, holding the lock, and
// always ends the transaction (commit…, tombstoneAndCommitBatched or rollbackBatched). The common
// case writes the message row in that same transaction (openFusedSend / commitFusedSend); the
// step-by-step path ran Try on its own before.
// ---------------------------------------------------------------------------------------------------

const OPEN_SQL = `START TRANSACTION;
SELECT last_seq, members_version, member_count, fanout_since FROM dialogs WHERE id = ? FOR UPDATE;
SELECT
  (SELECT 1 FROM dialog_members WHERE dialog_id = ? AND user_id = ?) AS is_member,
  (SELECT last_client_seq FROM dialog_client_seqs WHERE dialog_id = ? AND client_id = ?) AS last_client_seq,
  (SELECT 1 FROM message_tombstones WHERE dialog_id = ? AND msg_id = ?) AS tomb,
  (SELECT seq FROM dialog_messages WHERE dialog_id = ? AND msg_id = ?) AS existing_seq`;

/** The dialog-side writes every commit makes: timeline, last_seq + watermarks, clientSeq, outbox. */
const DIALOG_WRITES_SQL = `INSERT INTO dialog_messages (dialog_id, seq, msg_id, sender_id, created_at) VALUES (?, ?, ?, ?, ?);
UPDATE dialogs d JOIN dialog_members m ON m.dialog_id = d.id
   SET d.last_seq = ?, d.last_message_id = ?, d.last_sender_id = ?, d.last_preview = ?, d.last_message_at = ?,
       m.read_seq = GREATEST(m.read_seq, ?), m.delivered_seq = GREATEST(m.delivered_seq, ?)
 WHERE d.id = ? AND m.dialog_id = ? AND m.user_id = ?;
INSERT INTO dialog_client_seqs (dialog_id, client_id, last_client_seq, updated_at) VALUES (?, ?, ?, NOW(3))
  ON DUPLICATE KEY UPDATE last_client_seq = GREATEST(last_client_seq, VALUES(last_client_seq)),
                          updated_at = VALUES(updated_at);
INSERT INTO outbox (dialog_id, id, kind, payload, created_at) VALUES (?, ?, ?, ?, NOW(3))`;

const COMMIT_SQL = `${DIALOG_WRITES_SQL};
UPDATE messages SET status = 'committed', seq = ?, client_seq = ?, updated_at = NOW(3)
 WHERE dialog_id = ? AND id = ? AND status = 'pending';
COMMIT`;

/**
 * The one-transaction send: the messages row is written already committed, in the same transaction
 * as the dialog's writes. Message and dialog live on the same shard (both keyed by dialog_id), so the
 * TCC's two local transactions fold into one when nothing can go wrong between them — one commit
 * (one fsync) per message instead of two, and no status UPDATE.
 */
const FUSED_COMMIT_SQL = `INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id, client_seq, kind,
                      content, status, seq, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?, ?, ?);
${DIALOG_WRITES_SQL};
COMMIT`;

/**
 * Round trip 1 of the one-transaction send: BEGIN, the dialog lock, the state — and whether this
 * client already sent this clientMsgId (a retry, which takes the step-by-step path). A fresh msg_id
 * has no tombstone and no timeline row, so those reads are skipped.
 */
const FUSED_OPEN_SQL = `START TRANSACTION;
SELECT last_seq, members_version, member_count, fanout_since FROM dialogs WHERE id = ? FOR UPDATE;
SELECT
  (SELECT 1 FROM dialog_members WHERE dialog_id = ? AND user_id = ?) AS is_member,
  (SELECT last_client_seq FROM dialog_client_seqs WHERE dialog_id = ? AND client_id = ?) AS last_client_seq,
  NULL AS tomb,
  NULL AS existing_seq,
  (SELECT 1 FROM messages WHERE dialog_id = ? AND sender_client_id = ? AND client_msg_id = ?) AS known`;

const TOMBSTONE_COMMIT_SQL = `INSERT INTO message_tombstones (dialog_id, msg_id, created_at) VALUES (?, ?, NOW(3))
  ON DUPLICATE KEY UPDATE msg_id = msg_id;
COMMIT`;

/** Round trip 1 of the step-by-step Confirm: START TRANSACTION; the dialog lock; the state. Null: no dialog (the transaction is open either way). */
export async function openConfirmBatched(
  conn: SendConnection,
  key: ConfirmKey,
): Promise<ConfirmState | null> {
  const { dialogId, userId, clientId, msgId } = key;
  const [, lock, state] = await conn.query(OPEN_SQL, [
    dialogId,
    dialogId,
    userId,
    dialogId,
    clientId,
    dialogId,
    msgId,
    dialogId,
    msgId,
  ]);
  return stateOf(lock, state);
}

function stateOf(lock: unknown, state: unknown): ConfirmState | null {
  const dialog = toLockedDialog((lock as LockRow[] | undefined)?.[0]);
  return dialog ? toConfirmState(dialog, (state as StateRow[] | undefined)?.[0]) : null;
}

export type OpenedFusedSend = {
  /** Null when the dialog does not exist. The transaction is open either way. */
  state: ConfirmState | null;
  /** This client already sent this clientMsgId: a retry (the step-by-step path finds the original). */
  isKnown: boolean;
};

/** Round trip 1 of the one-transaction send (FUSED_OPEN_SQL). The caller ends the transaction. */
export async function openFusedSend(
  conn: SendConnection,
  key: ConfirmKey & { clientMsgId: string },
): Promise<OpenedFusedSend> {
  const { dialogId, userId, clientId, clientMsgId } = key;
  const [, lock, state] = await conn.query(FUSED_OPEN_SQL, [
    dialogId,
    dialogId,
    userId,
    dialogId,
    clientId,
    dialogId,
    clientId,
    clientMsgId,
  ]);
  const row = (state as (StateRow & { known: unknown })[] | undefined)?.[0];
  return { state: stateOf(lock, state), isKnown: row?.known != null };
}

/** Round trip 2 of the one-transaction send: the committed message row, the dialog's writes, COMMIT. */
export async function commitFusedSend(
  conn: SendConnection,
  message: NewMessage,
  write: CommitWrite,
): Promise<void> {
  const m = message;
  await conn.query(FUSED_COMMIT_SQL, [
    m.dialogId,
    m.id,
    m.senderId,
    m.senderClientId,
    m.clientMsgId,
    m.clientSeq,
    m.kind,
    JSON.stringify(m.content),
    write.seq,
    m.createdAt,
    m.createdAt,
    ...dialogWriteValues(write),
  ]);
}

function dialogWriteValues(write: CommitWrite): unknown[] {
  const { dialogId, msgId, seq, senderId, clientId, clientSeq, createdAt } = write;
  return [
    dialogId,
    seq,
    msgId,
    senderId,
    createdAt,
    seq,
    msgId,
    senderId,
    write.preview,
    createdAt,
    seq,
    seq,
    dialogId,
    dialogId,
    senderId,
    dialogId,
    clientId,
    clientSeq,
    dialogId,
    msgId,
    write.outboxKind,
    write.outboxJson,
  ];
}

/** Round trip 2: the writes of `writeCommit` and COMMIT, in one query. */
export async function commitConfirmBatched(conn: SendConnection, write: CommitWrite): Promise<void> {
  const { dialogId, msgId, seq, clientSeq } = write;
  await conn.query(COMMIT_SQL, [...dialogWriteValues(write), seq, clientSeq, dialogId, msgId]);
}

/** A final refusal: the tombstone and COMMIT in one query. */
export async function tombstoneAndCommitBatched(
  conn: SendConnection,
  dialogId: string,
  msgId: string,
): Promise<void> {
  await conn.query(TOMBSTONE_COMMIT_SQL, [dialogId, msgId]);
}

/** Ends an open Confirm that writes nothing (already placed, clientSeq ahead, no dialog). */
export async function rollbackBatched(conn: SendConnection): Promise<void> {
  await conn.query("ROLLBACK", []);
}
