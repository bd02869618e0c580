import { dialogSubject, type TMessageEvent, type TUserEvent, userSubject } from "@parley/protocol";
import type { EventPublisher } from "../ports";

/**
 * Publishes one event to each user's subject (every client of that user, the sender's other
 * clients included). Returns false when any publish could not be handed to NATS — the caller then
 * keeps its outbox row so the relay delivers later. A publisher that takes serialised events gets
 * the event serialised once for all members (`json` when the caller already has it).
 */
export function publishToUsers(
  events: EventPublisher,
  userIds: readonly string[],
  event: TUserEvent,
  json?: string,
): boolean {
  let delivered = true;
  const text = events.publishJson ? (json ?? JSON.stringify(event)) : null;
  for (const userId of userIds) {
    try {
      if (text !== null && events.publishJson) events.publishJson(userSubject(userId), text);
      else events.publish(userSubject(userId), event);
    } catch {
      delivered = false;
    }
  }
  return delivered;
}

/**
 * Whether a message of this dialog goes out once on `chat.dialog.<id>` (a big group past its grace)
 * instead of once per member. Before the grace ends some live socket may still hold a realtime token
 * minted before the switch (without the dialog in `dlg`): it gets per-member publishes until then.
 */
export function isDialogFanout(fanoutSince: Date | null, graceMs: number, now = Date.now()): boolean {
  return fanoutSince !== null && now - fanoutSince.getTime() >= graceMs;
}

/** A big group's message: one publish, the same JSON as the per-member event. False if NATS refused it. */
export function publishToDialog(events: EventPublisher, event: TMessageEvent, json?: string): boolean {
  try {
    if (events.publishJson) events.publishJson(dialogSubject(event.dialogId), json ?? JSON.stringify(event));
    else events.publish(dialogSubject(event.dialogId), event);
    return true;
  } catch {
    return false;
  }
}
