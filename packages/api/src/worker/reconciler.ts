import type { Db } from "@parley/db";
import {
  getTimelineSeq,
  insertTombstone,
  listStalePendingMessages,
  lockDialogRow,
  recordClientSeq,
  settleMessage,
} from "@parley/db/queries";

export type ReconcileOptions = {
  /** Pending rows younger than this may still be in a live send (Try → Confirm takes milliseconds). */
  olderThanMs?: number;
  batchSize?: number;
  shouldContinue?: () => boolean;
};

export type ReconcileResult = { committed: number; failed: number };

export type PendingMessage = { dialogId: string; id: string; senderClientId: string; clientSeq: number };

/**
 * Settles `pending` messages a crash left between Try and "status committed", by asking the dialog
 * shard — whose decision is final.
 */
export async function reconcilePending(db: Db, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const rows = await listStalePendingMessages(db, options.olderThanMs ?? 5_000, options.batchSize ?? 200);
  const result: ReconcileResult = { committed: 0, failed: 0 };
  for (const row of rows) {
    if (options.shouldContinue && !options.shouldContinue()) break;
    const outcome = await settlePendingMessage(db, row);
    result[outcome.status]++;
  }
  return result;
}

/**
 * Under the dialog lock (the same one Confirm holds): in the timeline → committed with its seq;
 * not there → a tombstone, so a Confirm still queued behind the lock aborts, and the message's
 * clientSeq counts as used (GREATEST), so one failure never wedges the client's queue.
 */
export async function settlePendingMessage(
  db: Db,
  message: PendingMessage,
): Promise<{ status: "committed"; seq: number } | { status: "failed" }> {
  const outcome = await db.transaction(async (tx) => {
    const dialog = await lockDialogRow(tx, message.dialogId);
    if (!dialog) return { status: "failed" } as const;
    const seq = await getTimelineSeq(tx, message.dialogId, message.id);
    if (seq !== null) return { status: "committed", seq } as const;
    await insertTombstone(tx, message.dialogId, message.id);
    await recordClientSeq(tx, message.dialogId, message.senderClientId, message.clientSeq);
    return { status: "failed" } as const;
  });
  await settleMessage(db, message.dialogId, message.id, outcome);
  return outcome;
}
