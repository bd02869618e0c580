import type { TChangeContent, TMessage, TMessageContent } from "@parley/protocol";
import type { ChatMessage, MessageStatus } from "./engine-types";
import { type FailedSend, placeFailedSends } from "./failed-sends";
import { isChangeContent, withPendingChange } from "./message-state";
import type { Receipts } from "./receipts";
import type { OutgoingItem } from "./send-queue";

type Viewer = { userId: string; clientId: string };

/**
 * One dialog as a UI renders it: confirmed messages in seq order with failed sends placed where they
 * were sent, then pending ones in send order. A send whose push or sync landed before its ack is
 * shown once: as the confirmed message. Our edits, deletes and reactions not confirmed yet are shown
 * on their message at once (offline too), never as messages of their own.
 */
export function renderTimeline(
  viewer: Viewer,
  parts: {
    confirmed: readonly TMessage[];
    failed: readonly FailedSend[];
    pending: readonly OutgoingItem[];
    receipts: Receipts;
    /** Confirmed change rows of ours, by clientMsgId: a pending one already placed is not re-applied. */
    confirmedOwn?: ReadonlySet<string>;
  },
): ChatMessage[] {
  const confirmed = parts.confirmed.map((message) => toChatMessage(viewer, message, parts.receipts));
  const own = new Set(
    confirmed.filter((m) => m.senderClientId === viewer.clientId).map((m) => m.clientMsgId),
  );
  const sends = parts.pending.filter((item) => !isChangeContent(item.content));
  const changes = parts.pending.filter(
    (item) => isChangeContent(item.content) && !parts.confirmedOwn?.has(item.clientMsgId),
  );
  const pending = sends
    .filter((item) => !own.has(item.clientMsgId))
    .map((item) => toPendingMessage(viewer, item));
  const failed = parts.failed.filter((entry) => !isChangeContent(entry.item.content));
  const placed = placeFailedSends(confirmed, failed, (entry) =>
    toPendingMessage(viewer, entry.item, entry.error),
  );
  return overlayPendingChanges(viewer, [...placed, ...pending], changes);
}

function overlayPendingChanges(
  viewer: Viewer,
  messages: ChatMessage[],
  changes: readonly OutgoingItem[],
): ChatMessage[] {
  if (changes.length === 0) return messages;
  const byId = new Map(messages.flatMap((m, index) => (m.id ? [[m.id, index] as const] : [])));
  for (const item of changes) {
    const change = item.content as TChangeContent;
    const index = byId.get(change.target);
    const message = index === undefined ? undefined : messages[index];
    if (index === undefined || !message) continue;
    const state = { version: 0, editedAt: message.editedAt, reactions: message.reactions };
    const next = withPendingChange({ content: message.content, state }, change, viewer.userId);
    messages[index] = {
      ...message,
      content: next.content as ChatMessage["content"],
      editedAt: next.state.editedAt,
      reactions: next.state.reactions.map((r) => ({ ...r, mine: r.mine ?? false })),
      changePending: true,
    };
  }
  return messages;
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
    content: message.content as ChatMessage["content"],
    createdAt: message.createdAt,
    status,
    isOwn,
    editedAt: message.state?.editedAt ?? null,
    reactions: (message.state?.reactions ?? []).map((r) => ({
      ...r,
      mine: r.mine ?? r.userIds.includes(viewer.userId),
    })),
    ...(message.reply ? { reply: message.reply } : {}),
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
    content: item.content as TMessageContent,
    createdAt: item.createdAt,
    status: error === undefined ? "pending" : "failed",
    isOwn: true,
    editedAt: null,
    reactions: [],
    ...(error === undefined ? {} : { error }),
  };
}
