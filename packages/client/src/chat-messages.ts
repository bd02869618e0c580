import type { TMessage } from "@parley/protocol";
import type { ChatMessage, MessageStatus } from "./engine-types";
import { type FailedSend, placeFailedSends } from "./failed-sends";
import type { Receipts } from "./receipts";
import type { OutgoingItem } from "./send-queue";

type Viewer = { userId: string; clientId: string };

/**
 * One dialog as a UI renders it: confirmed messages in seq order with failed sends placed where they
 * were sent, then pending ones in send order. A send whose push or sync landed before its ack is
 * shown once: as the confirmed message.
 */
export function renderTimeline(
  viewer: Viewer,
  parts: {
    confirmed: readonly TMessage[];
    failed: readonly FailedSend[];
    pending: readonly OutgoingItem[];
    receipts: Receipts;
  },
): ChatMessage[] {
  const confirmed = parts.confirmed.map((message) => toChatMessage(viewer, message, parts.receipts));
  const own = new Set(
    confirmed.filter((m) => m.senderClientId === viewer.clientId).map((m) => m.clientMsgId),
  );
  const pending = parts.pending
    .filter((item) => !own.has(item.clientMsgId))
    .map((item) => toPendingMessage(viewer, item));
  const placed = placeFailedSends(confirmed, parts.failed, (entry) =>
    toPendingMessage(viewer, entry.item, entry.error),
  );
  return [...placed, ...pending];
}

function toChatMessage(viewer: Viewer, message: TMessage, receipts: Receipts): ChatMessage {
  const isOwn = message.senderId === viewer.userId;
  const status: MessageStatus = isOwn ? receipts.statusOf(message, viewer.userId) : "received";
  return {
    key: message.id,
    dialogId: message.dialogId,
    id: message.id,
    seq: message.seq,
    senderId: message.senderId,
    senderClientId: message.senderClientId,
    clientMsgId: message.clientMsgId,
    content: message.content,
    createdAt: message.createdAt,
    status,
    isOwn,
  };
}

function toPendingMessage(viewer: Viewer, item: OutgoingItem, error?: string): ChatMessage {
  return {
    key: item.localId,
    dialogId: item.dialogId,
    id: null,
    seq: null,
    senderId: viewer.userId,
    senderClientId: viewer.clientId,
    clientMsgId: item.clientMsgId,
    content: item.content,
    createdAt: item.createdAt,
    status: error === undefined ? "pending" : "failed",
    isOwn: true,
    ...(error === undefined ? {} : { error }),
  };
}
