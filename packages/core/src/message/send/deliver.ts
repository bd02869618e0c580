import type { TMessageEvent } from "@parley/protocol";
import { getMemberUserIds } from "../../notify/member-cache";
import { isDialogFanout, publishToDialog, publishToUsers } from "../../notify/publish";
import type { CoreServices } from "../../services";
import { scheduleOutboxDelete } from "./outbox-cleaner";
import { noteTail } from "./tail-beacon";

export type DeliverDeps = Pick<
  CoreServices,
  "db" | "events" | "clock" | "options" | "memberCache" | "outbox" | "tailBeacon"
>;

/**
 * Step 5: publish, then delete the outbox row (batched, off the ack path). A big group past its grace
 * gets one publish on its dialog subject; any other dialog one per member (`fanoutSince` was read
 * under Confirm's lock, so the decision costs no query). If NATS could not take the event the row
 * stays, and the relay republishes it once NATS is back. Returns whether it was pushed.
 */
export async function deliverMessageEvent(
  deps: DeliverDeps,
  event: TMessageEvent,
  dialog: { membersVersion: number; fanoutSince: Date | null },
  eventJson?: string,
): Promise<boolean> {
  const { events } = deps;
  let publish: () => boolean;
  if (isDialogFanout(dialog.fanoutSince, deps.options.bigGroupFanoutGraceMs, deps.clock.now())) {
    publish = () => publishToDialog(events, event, eventJson);
  } else {
    const userIds = await getMemberUserIds(deps, event.dialogId, dialog.membersVersion);
    publish = () => publishToUsers(events, userIds, event, eventJson);
  }
  if (!publish()) return false;
  noteTail(deps, event.dialogId, event.seq, publish);
  scheduleOutboxDelete(deps, { dialogId: event.dialogId, id: event.message.id });
  return true;
}
