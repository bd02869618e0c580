import type { TMessageEvent } from "@parley/protocol";
import type { ApiServices } from "../../context";
import { getMemberUserIds, publishToUsers } from "../publish";
import { scheduleOutboxDelete } from "./outbox-cleaner";

/**
 * Step 5: publish to every member's subject, then delete the outbox row (batched, off the ack path). If NATS could not take the
 * event the row stays, and the relay republishes it once NATS is back. Returns whether it was pushed.
 */
export async function deliverMessageEvent(
  services: ApiServices,
  event: TMessageEvent,
  membersVersion: number,
  eventJson?: string,
): Promise<boolean> {
  const userIds = await getMemberUserIds(services, event.dialogId, membersVersion);
  if (!publishToUsers(services.events, userIds, event, eventJson)) return false;
  scheduleOutboxDelete(services, { dialogId: event.dialogId, id: event.message.id });
  return true;
}
