import type { Db } from "@parley/db";
import {
  getMessage,
  listStalePendingMessages,
  lockDialogRow,
  recordClientSeq,
  settleMessage,
} from "@parley/db/queries";
import { type ConfirmOutcome, confirmMessage } from "../message/send/confirm";

export type ReconcileOptions = {
  /** Pending rows younger than this may still be in a live send (Try → Confirm takes milliseconds). */
  olderThanMs?: number;
  /**
   * A pending message whose predecessor clientSeq never reached the server (a hole in its client's
   * numbering) waits this long; then the hole is skipped so the message and its successors commit.
   */
  holeAfterMs?: number;
  batchSize?: number;
  shouldContinue?: () => boolean;
};

/** `waiting`: still behind a predecessor of its own client that may yet arrive. */
export type ReconcileResult = { committed: number; failed: number; waiting: number };

export type PendingMessage = { dialogId: string; id: string; senderClientId: string; clientSeq: number };

/**
 * Long on purpose: a predecessor may sit in an overloaded API's queue for tens of seconds, and a hole
 * skipped under it turns that message into a false failure. Only a client that lost its own queue
 * leaves a hole for good, and it renumbers from the server's expectation when it sends again.
 */
const DEFAULT_HOLE_AFTER_MS = 10 * 60_000;

/**
 * Settles `pending` messages — a crash between Try and Confirm, or a send slower than its client's
 * patience — by rolling them FORWARD: the same Confirm the API runs, under the same dialog lock, so
 * a message whose Try succeeded commits in its client's clientSeq order and a retry of it gets the
 * original ack. Rolling back (tombstoning) a message its client is still retrying was a false
 * failure, and let the client's later messages overtake it. A message fails here only for a reason
 * the dialog shard decides for good: the sender is no longer a member, or its clientSeq was used.
 */
export async function reconcilePending(db: Db, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const rows = await listStalePendingMessages(db, options.olderThanMs ?? 5_000, options.batchSize ?? 200);
  // A client's messages in its own order, so a predecessor commits before its successor is tried.
  rows.sort(
    (a, b) =>
      compareIds(a.dialogId, b.dialogId) ||
      compareIds(a.senderClientId, b.senderClientId) ||
      a.clientSeq - b.clientSeq,
  );
  const result: ReconcileResult = { committed: 0, failed: 0, waiting: 0 };
  for (const row of rows) {
    if (options.shouldContinue && !options.shouldContinue()) break;
    const outcome = await settlePendingMessage(db, row, options);
    result[outcome.status]++;
  }
  return result;
}

export type SettleOutcome =
  | { status: "committed"; seq: number }
  | { status: "failed" }
  | { status: "waiting" };

/**
 * One pending message: Confirm it (idempotent: a message already in the timeline keeps its first
 * seq). Behind a missing predecessor it waits, until `holeAfterMs` after its Try; then its client's
 * numbering skips the hole (a predecessor arriving later is refused, never placed after it).
 */
export async function settlePendingMessage(
  db: Db,
  pending: PendingMessage,
  options: { holeAfterMs?: number; now?: number } = {},
): Promise<SettleOutcome> {
  const message = await getMessage(db, pending.dialogId, pending.id);
  if (!message) return { status: "failed" };
  if (message.status === "committed" && message.seq !== null)
    return { status: "committed", seq: message.seq };
  if (message.status !== "pending") return { status: "failed" };
  let outcome = await confirmMessage(db, message);
  if (outcome.kind === "ahead") {
    const age = (options.now ?? Date.now()) - message.createdAt.getTime();
    if (age < (options.holeAfterMs ?? DEFAULT_HOLE_AFTER_MS)) return { status: "waiting" };
    await db.transaction(async (tx) => {
      if (!(await lockDialogRow(tx, message.dialogId))) return;
      await recordClientSeq(tx, message.dialogId, message.senderClientId, message.clientSeq - 1);
    });
    outcome = await confirmMessage(db, message);
  }
  const settled = toSettled(outcome);
  if (settled.status !== "waiting" && outcome.kind !== "committed") {
    // Confirm set the status itself when it committed; every other final answer is written here.
    await settleMessage(db, message.dialogId, message.id, settled);
  }
  return settled;
}

function toSettled(outcome: ConfirmOutcome): SettleOutcome {
  switch (outcome.kind) {
    case "committed":
    case "already":
      return { status: "committed", seq: outcome.seq };
    case "ahead":
      return { status: "waiting" };
    case "failed":
    case "no-dialog":
      return { status: "failed" };
  }
}

/** Snowflake ids as decimal strings: shorter is smaller. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
