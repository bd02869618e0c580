import { z } from "zod";
import { ZId, ZSeq } from "./ids";
import { isWellFormedText, WELL_FORMED_TEXT_MESSAGE } from "./text";

export const MAX_TEXT_LENGTH = 4000;

/** Typed message content stored as JSON; new media kinds join this union. */
export const ZMessageContent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("text"),
    text: z
      .string()
      .refine(isWellFormedText, WELL_FORMED_TEXT_MESSAGE)
      .refine((text) => text.trim().length > 0, "text must not be empty")
      .refine(
        (text) => [...text].length <= MAX_TEXT_LENGTH,
        `text must be at most ${MAX_TEXT_LENGTH} characters`,
      ),
  }),
]);
export type TMessageContent = z.infer<typeof ZMessageContent>;

/** A committed message as every client sees it. `createdAt` is ms since the epoch (server time). */
export const ZMessage = z.object({
  id: ZId,
  dialogId: ZId,
  seq: ZSeq,
  senderId: ZId,
  senderClientId: ZId,
  clientMsgId: z.string(),
  clientSeq: z.number().int(),
  content: ZMessageContent,
  createdAt: z.number().int(),
});
export type TMessage = z.infer<typeof ZMessage>;
