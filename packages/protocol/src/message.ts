import { z } from "zod";
import { ZMediaContent } from "./attachment";
import { ZId, ZSeq } from "./ids";
import {
  ZChangeContent,
  ZChangeInput,
  ZDeletedContent,
  ZMessageState,
  ZReplyPreview,
} from "./message-change";
import { ZMessageText } from "./message-text";

export * from "./message-change";
export { MAX_TEXT_LENGTH, ZMessageText } from "./message-text";

/** Typed message content stored as JSON; new media kinds join this union. */
export const ZMessageContent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("text"),
    text: ZMessageText,
    /** The message this one answers (same dialog); the server adds a quoted preview (`TMessage.reply`). */
    replyTo: ZId.optional(),
  }),
  ZMediaContent,
]);
export type TMessageContent = z.infer<typeof ZMessageContent>;

/** What message.send carries: a new message, or a change to one (edit, delete, reaction). */
export const ZSendContent = z.discriminatedUnion("kind", [ZMessageContent, ZChangeInput]);
export type TSendContent = z.infer<typeof ZSendContent>;

/** What a timeline row holds: a message, a deleted message's tombstone, or a change to another row. */
export const ZTimelineContent = z.discriminatedUnion("kind", [
  ZMessageContent,
  ZDeletedContent,
  ZChangeContent,
]);
export type TTimelineContent = z.infer<typeof ZTimelineContent>;

/**
 * A change row's target as it is after the change (pushes) or now (pages): its content (a tombstone
 * once deleted), seq and state. Clients replace what they hold when `state.version` is higher.
 */
export const ZChangeTarget = z.object({
  id: ZId,
  seq: ZSeq,
  content: z.discriminatedUnion("kind", [ZMessageContent, ZDeletedContent]),
  state: ZMessageState,
});
export type TChangeTarget = z.infer<typeof ZChangeTarget>;

/** A committed message as every client sees it. `createdAt` is ms since the epoch (server time). */
export const ZMessage = z.object({
  id: ZId,
  dialogId: ZId,
  seq: ZSeq,
  senderId: ZId,
  senderClientId: ZId,
  clientMsgId: z.string(),
  clientSeq: z.number().int(),
  content: ZTimelineContent,
  createdAt: z.number().int(),
  /** Edits and reactions so far (absent: never changed). */
  state: ZMessageState.optional(),
  /** The quoted original when the content is a reply. */
  reply: ZReplyPreview.optional(),
  /** On change rows (edit, delete, reaction): the target after the change. */
  target: ZChangeTarget.optional(),
});
export type TMessage = z.infer<typeof ZMessage>;
