import { deleteOutboxRow } from "@parley/db/queries";
import type { TMessageEvent } from "@parley/protocol";
import type { ApiServices } from "../../context";
import { getMemberUserIds, publishToUsers } from "../publish";

/**
 * Step 5: publish to every member's subject, then delete the outbox row. If NATS could not take the
 * event the row stays, and the relay republishes it once NATS is back. Returns whether it was pushed.
 */
export async function deliverMessageEvent(
  services: ApiServices,
  event: TMessageEvent,
  membersVersion: number,
): Promise<boolean> {
  const userIds = await getMemberUserIds(services, event.dialogId, membersVersion);
  if (!publishToUsers(services.events, userIds, event)) return false;
  await deleteOutboxRow(services.db, event.dialogId, event.message.id);
  return true;
}
