import type { Db } from "@parley/db";
import {
  deleteOutboxRow,
  deleteOutboxRows,
  getDialog,
  listMemberUserIds,
  listStaleOutboxRows,
} from "@parley/db/queries";
import { BIG_GROUP_FANOUT_GRACE_MS, type TUserEvent, ZUserEvent } from "@parley/protocol";
import { isDialogFanout, publishToDialog, publishToUsers } from "../notify/publish";
import type { EventPublisher } from "../services";

export type RelayOptions = {
  /** Rows younger than this are still in their sender's hands (it publishes, then deletes). */
  olderThanMs?: number;
  batchSize?: number;
  /** Checked before each row: a worker that lost its lease stops mid-batch. */
  shouldContinue?: () => boolean;
  /** The API's BIG_GROUP_FANOUT_GRACE_MS: the relay decides dialog subject vs. members like a send. */
  bigGroupFanoutGraceMs?: number;
};

export type RelayResult = { published: number; failed: number };

/**
 * Republishes what a crash (or a NATS outage) left in the outbox of one shard, then deletes it.
 * Recipients are the members as of now, so a member removed since does not get it; a big group's
 * message goes once on its dialog subject (the gateways' own membership view). Clients dedupe by
 * seq, so a push that was in fact delivered before the crash is harmless.
 */
export async function relayOutbox(
  deps: { db: Db; events: EventPublisher },
  options: RelayOptions = {},
): Promise<RelayResult> {
  const rows = await listStaleOutboxRows(deps.db, options.olderThanMs ?? 1_500, options.batchSize ?? 200);
  const result: RelayResult = { published: 0, failed: 0 };
  // One dialog read per dialog per batch (fanout_since is set once and never cleared).
  const fanouts = new Map<string, Promise<Date | null>>();
  const fanoutOf = (dialogId: string) => {
    let fanout = fanouts.get(dialogId);
    if (!fanout) {
      fanout = getDialog(deps.db, dialogId).then((dialog) => dialog?.fanoutSince ?? null);
      fanouts.set(dialogId, fanout);
    }
    return fanout;
  };
  const published: typeof rows = [];
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
    if (!(await republish(deps, row.dialogId, event.data, fanoutOf, options.bigGroupFanoutGraceMs))) {
      result.failed++;
      continue;
    }
    published.push(row);
  }
  if (published.length === 0) return result;
  // Forgotten only once NATS holds them: a publish it never got is tried again next tick.
  try {
    await deps.events.flush?.();
  } catch {
    result.failed += published.length;
    return result;
  }
  await deleteOutboxRows(deps.db, published);
  result.published = published.length;
  return result;
}

/** The same decision as a send: a big group's message once on its dialog subject, else per member. */
async function republish(
  deps: { db: Db; events: EventPublisher },
  dialogId: string,
  event: TUserEvent,
  fanoutOf: (dialogId: string) => Promise<Date | null>,
  graceMs = BIG_GROUP_FANOUT_GRACE_MS,
): Promise<boolean> {
  if (event.type === "message" && isDialogFanout(await fanoutOf(dialogId), graceMs)) {
    return publishToDialog(deps.events, event);
  }
  const userIds = await listMemberUserIds(deps.db, dialogId);
  return publishToUsers(deps.events, userIds, event);
}
