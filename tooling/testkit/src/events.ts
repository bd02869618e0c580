import type { TMessageEvent } from "@parley/protocol";

/**
 * A text message event as the API publishes it (same shape on `chat.user.<id>` and
 * `chat.dialog.<id>`), for gateway tests that publish to NATS directly.
 */
export function messageEvent(
  dialogId: string,
  seq: number,
  options: { senderId?: string; text?: string } = {},
): TMessageEvent {
  return {
    type: "message",
    dialogId,
    prevSeq: seq - 1,
    seq,
    message: {
      id: String(900_000 + seq),
      dialogId,
      seq,
      senderId: options.senderId ?? "5",
      senderClientId: "6",
      clientMsgId: `c${seq}`,
      clientSeq: seq,
      content: { kind: "text", text: options.text ?? `hello ${seq}` },
      createdAt: Date.now(),
    },
  };
}
