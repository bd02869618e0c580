import type { Db } from "@parley/db";
import { deleteOutboxRow, listMemberUserIds, listStaleOutboxRows } from "@parley/db/queries";
import { ZUserEvent } from "@parley/protocol";
import type { EventPublisher } from "../context";
import { publishToUsers } from "../services/publish";

export type RelayOptions = {
  /** Rows younger than this are still in their sender's hands (it publishes, then deletes). */
  olderThanMs?: number;
  batchSize?: number;
  /** Checked before each row: a worker that lost its lease stops mid-batch. */
  shouldContinue?: () => boolean;
};

export type RelayResult = { published: number; failed: number };

/**
 * Republishes what a crash (or a NATS outage) left in the outbox of one shard, then deletes it.
 * Recipients are the members as of now, so a member removed since does not get it. Clients dedupe
 * by seq, so a push that was in fact delivered before the crash is harmless.
 */
export async function relayOutbox(
  deps: { db: Db; events: EventPublisher },
  options: RelayOptions = {},
): Promise<RelayResult> {
  const rows = await listStaleOutboxRows(deps.db, options.olderThanMs ?? 1_500, options.batchSize ?? 200);
  const result: RelayResult = { published: 0, failed: 0 };
  for (const row of rows) {
    if (options.shouldContinue && !options.shouldContinue()) break;
    const event = ZUserEvent.safeParse(row.payload);
    if (!event.success) {
      // Unreadable rows would block nothing (rows are independent) but must not be retried forever.
      console.error(`[relay] dropping malformed outbox row ${row.dialogId}/${row.id}`);
      await deleteOutboxRow(deps.db, row.dialogId, row.id);
      result.failed++;
      continue;
    }
    const userIds = await listMemberUserIds(deps.db, row.dialogId);
    if (!publishToUsers(deps.events, userIds, event.data)) {
      result.failed++;
      continue;
    }
    await deleteOutboxRow(deps.db, row.dialogId, row.id);
    result.published++;
  }
  return result;
}
