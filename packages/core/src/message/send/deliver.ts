import type { TMessageEvent } from "@parley/protocol";
import { getMemberUserIds, isDialogFanout, publishToDialog, publishToUsers } from "../../notify/publish";
import { messagingOptions } from "../../options";
import type { CoreServices } from "../../services";
import { scheduleOutboxDelete } from "./outbox-cleaner";
import { noteTail } from "./tail-beacon";

/**
 * Step 5: publish, then delete the outbox row (batched, off the ack path). A big group past its grace
 * gets one publish on its dialog subject; any other dialog one per member (`fanoutSince` was read
 * under Confirm's lock, so the decision costs no query). If NATS could not take the event the row
 * stays, and the relay republishes it once NATS is back. Returns whether it was pushed.
 */
export async function deliverMessageEvent(
  services: CoreServices,
  event: TMessageEvent,
  dialog: { membersVersion: number; fanoutSince: Date | null },
  eventJson?: string,
): Promise<boolean> {
  const { bigGroupFanoutGraceMs } = messagingOptions(services);
  let publish: () => boolean;
  if (isDialogFanout(dialog.fanoutSince, bigGroupFanoutGraceMs)) {
    publish = () => publishToDialog(services.events, event, eventJson);
  } else {
    const userIds = await getMemberUserIds(services, event.dialogId, dialog.membersVersion);
    publish = () => publishToUsers(services.events, userIds, event, eventJson);
  }
  if (!publish()) return false;
  noteTail(services, event.dialogId, event.seq, publish);
  scheduleOutboxDelete(services, { dialogId: event.dialogId, id: event.message.id });
  return true;
}
