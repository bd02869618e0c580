import { z } from "zod";
import { ZId, ZSeq } from "./ids";
import { ZMessageText } from "./message-text";

/**
 * The life cycle of a message (edit, delete for everyone, reactions) as events in the dialog's one
 * order: each change is sent like a message (Try/Confirm, clientSeq, send-once by clientMsgId) and
 * takes its own dialog seq, so per-sender order, gap detection and catch-up hold for it unchanged.
 * docs/design.md "Message life cycle" explains the choice.
 */

/** Emoji a client may react with: one pictographic grapheme (with skin tone / ZWJ parts), ≤ 16 units. */
const EMOJI =
  /^\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier}|\u200D\p{Extended_Pictographic}\uFE0F?)*$/u;
export const ZEmoji = z
  .string()
  .max(16, "emoji must be at most 16 UTF-16 units")
  .regex(EMOJI, "emoji must be a single emoji");
/** Distinct emoji one message may carry; a reaction with a new one past this is refused. */
export const MAX_REACTION_KINDS = 20;
/** Reactors listed per emoji in a summary (the count is exact; "who reacted" shows the first ones). */
export const MAX_LISTED_REACTORS = 10;
/** The emoji the web picker offers (any single emoji is accepted by the server). */
export const COMMON_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏", "🎉", "🔥"] as const;
/** A quoted reply shows this many characters of the original. */
export const REPLY_PREVIEW_LENGTH = 120;

/** What a sender asks for (message.send content). */
export const ZEditInput = z.object({ kind: z.literal("edit"), target: ZId, text: ZMessageText });
export const ZDeleteInput = z.object({ kind: z.literal("delete"), target: ZId });
export const ZReactionInput = z.object({
  kind: z.literal("reaction"),
  target: ZId,
  emoji: ZEmoji,
  /** true adds my reaction, false removes it: idempotent per (user, message, emoji). */
  on: z.boolean(),
});
export const ZChangeInput = z.discriminatedUnion("kind", [ZEditInput, ZDeleteInput, ZReactionInput]);
export type TChangeInput = z.infer<typeof ZChangeInput>;

/**
 * A change row as stored and on the wire. An edit's own text is dropped once its target is deleted
 * (deleting clears the text everywhere on the server), so it is optional here; the target's current
 * state rides on the row anyway (`TMessage.target`).
 */
export const ZChangeContent = z.discriminatedUnion("kind", [
  ZEditInput.extend({ text: z.string().max(20_000).optional() }),
  ZDeleteInput,
  ZReactionInput,
]);
export type TChangeContent = z.infer<typeof ZChangeContent>;

/** What a message deleted for everyone shows (its text is gone from the server). */
export const ZDeletedContent = z.object({ kind: z.literal("deleted") });

export const ZReactionSummary = z.object({
  emoji: ZEmoji,
  count: z.number().int().min(1),
  /** The first reactors (≤ MAX_LISTED_REACTORS), in the order they reacted. */
  userIds: z.array(ZId).max(MAX_LISTED_REACTORS),
  /** The reader reacted with it (pages only: a push is the same for every member). */
  mine: z.boolean().optional(),
});
export type TReactionSummary = z.infer<typeof ZReactionSummary>;

/**
 * A message's current state. `version` is the seq of the last change applied to it (0: never
 * changed); a state with a higher version replaces a lower one, so clients converge whatever order
 * pages and pushes arrive in.
 */
export const ZMessageState = z.object({
  version: ZSeq,
  editedAt: z.number().int().nullable(),
  reactions: z.array(ZReactionSummary).max(MAX_REACTION_KINDS),
});
export type TMessageState = z.infer<typeof ZMessageState>;

/** The quoted original of a reply, built by the server (`text` null: deleted or not visible). */
export const ZReplyPreview = z.object({
  id: ZId,
  seq: ZSeq,
  senderId: ZId,
  text: z.string().nullable(),
});
export type TReplyPreview = z.infer<typeof ZReplyPreview>;
