import type { TimelineMessage } from "@parley/db/queries";
import { type TMessage, type TTimelineContent, ZTimelineContent } from "@parley/protocol";

/** Stored content is typed JSON; anything unreadable becomes a visible placeholder, never a crash. */
export function parseStoredContent(content: unknown): TTimelineContent {
  const parsed = ZTimelineContent.safeParse(content);
  return parsed.success ? parsed.data : { kind: "text", text: "[unsupported message]" };
}

export function toWireMessage(message: TimelineMessage): TMessage {
  return {
    id: message.id,
    dialogId: message.dialogId,
    seq: message.seq,
    senderId: message.senderId,
    senderClientId: message.senderClientId,
    clientMsgId: message.clientMsgId,
    clientSeq: message.clientSeq,
    content: parseStoredContent(message.content),
    createdAt: message.createdAt.getTime(),
  };
}
