import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../client";
import { rowsOf, toNumber } from "./result";

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
  isMember: boolean;
  lastClientSeq: number;
  isTombstoned: boolean;
  /** Set when this msg_id is already in the timeline (a second Confirm returns the first seq). */
  existingSeq: number | null;
};

type ConfirmKey = { dialogId: string; userId: string; clientId: string; msgId: string };
type StateRow = { is_member: unknown; last_client_seq: unknown; tomb: unknown; existing_seq: unknown };
type LockRow = { last_seq: unknown; members_version: unknown; member_count: unknown };

const lockDialogSql = (dialogId: string) =>
  sql`SELECT last_seq, members_version, member_count FROM dialogs WHERE id = ${dialogId} FOR UPDATE`;

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

/**
 * The per-statement form (any driver): two round trips. With `batched` (a mysql2 handle created
 * with multipleStatements) both statements travel in one query; the server still runs them in order,
 * so the state read starts only once the lock is held.
 */
export async function lockDialogForConfirm(
  tx: DbOrTx,
  key: ConfirmKey,
  batched = false,
): Promise<ConfirmState | null> {
  if (batched) {
    const sets = resultSetsOf(
      await tx.execute(sql`${lockDialogSql(key.dialogId)};\n${confirmStateSql(key)}`),
    );
    const dialog = toLockedDialog((sets[0] as LockRow[] | undefined)?.[0]);
    return dialog ? toConfirmState(dialog, (sets[1] as StateRow[] | undefined)?.[0]) : null;
  }
  const dialog = toLockedDialog(rowsOf<LockRow>(await tx.execute(lockDialogSql(key.dialogId)))[0]);
  if (!dialog) return null;
  return toConfirmState(dialog, rowsOf<StateRow>(await tx.execute(confirmStateSql(key)))[0]);
}

/** The result sets of a multi-statement query (mysql2 answers `[[set1, set2, …], fields]`). */
function resultSetsOf(result: unknown): unknown[] {
  const first: unknown = Array.isArray(result) ? result[0] : null;
  return Array.isArray(first) ? first : [];
}

export type LockedDialog = { lastSeq: number; membersVersion: number; memberCount: number };

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
  outboxPayload: unknown;
};

/**
 * Confirm's writes, in lock order, all on the dialog's shard: the timeline row; last_seq with the
 * last-message snapshot and the sender's watermarks in one UPDATE (the sender has read everything up
 * to its own message, so unread never counts one's own messages); the clientSeq; the outbox row.
 * `batched` sends the four as one query (mysql2 with multipleStatements), else one round trip each.
 */
export async function writeCommit(tx: Tx, write: CommitWrite, batched = false): Promise<void> {
  const { dialogId, msgId, seq, senderId, clientId, clientSeq, createdAt } = write;
  const statements = [
    sql`INSERT INTO dialog_messages (dialog_id, seq, msg_id, sender_id, created_at)
        VALUES (${dialogId}, ${seq}, ${msgId}, ${senderId}, ${createdAt})`,
    sql`UPDATE dialogs d JOIN dialog_members m ON m.dialog_id = d.id
           SET d.last_seq = ${seq}, d.last_message_id = ${msgId}, d.last_sender_id = ${senderId},
               d.last_preview = ${write.preview}, d.last_message_at = ${createdAt},
               m.read_seq = GREATEST(m.read_seq, ${seq}), m.delivered_seq = GREATEST(m.delivered_seq, ${seq})
         WHERE d.id = ${dialogId} AND m.dialog_id = ${dialogId} AND m.user_id = ${senderId}`,
    clientSeqSql(dialogId, clientId, clientSeq),
    sql`INSERT INTO outbox (dialog_id, id, kind, payload, created_at)
        VALUES (${dialogId}, ${msgId}, ${write.outboxKind}, ${JSON.stringify(write.outboxPayload)}, NOW(3))`,
  ];
  if (batched) {
    await tx.execute(sql.join(statements, sql.raw(";\n")));
    return;
  }
  for (const statement of statements) await tx.execute(statement);
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
