import { dialogAround } from "@parley/core/message";
import { ZMessage } from "@parley/protocol";
import { z } from "zod";
import { protectedProcedure } from "../trpc";
import { ZDbId } from "./messaging-inputs";

const ZPositiveSeq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Centred on a seq (a search hit) or a message id (a reply's original); `limit` on each side. */
export const ZAroundInput = z
  .object({
    dialogId: ZDbId,
    seq: ZPositiveSeq.optional(),
    msgId: ZDbId.optional(),
    limit: z.number().int().min(1).max(50).default(25),
  })
  .refine((input) => (input.seq === undefined) !== (input.msgId === undefined), {
    message: "give either seq or msgId",
  });
export const ZAroundPage = z.object({
  messages: z.array(ZMessage),
  seq: ZPositiveSeq,
  hasOlder: z.boolean(),
  hasNewer: z.boolean(),
  lastSeq: z.number().int().min(0),
});

/**
 * dialog.around: the timeline around one message, to open a search result (or a reply's original
 * that is not loaded) in context. Members only, nothing from before they joined; a read budget hit.
 */
export const dialogAroundProcedure = protectedProcedure
  .input(ZAroundInput)
  .output(ZAroundPage)
  .query(({ ctx, input }) =>
    dialogAround(
      ctx.services,
      { userId: ctx.user.id, clientId: ctx.client.id },
      {
        dialogId: input.dialogId,
        target: input.seq !== undefined ? { seq: input.seq } : { msgId: input.msgId ?? "" },
        limit: input.limit,
      },
    ),
  );
