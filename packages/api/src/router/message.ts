import { sendMessage } from "@parley/core/message";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import { ZSendAck, ZSendMessageInput } from "./messaging-inputs";

export const messageRouter = createTRPCRouter({
  /** The TCC send path; retry with the same clientMsgId until acked (send-once). */
  send: protectedProcedure
    .input(ZSendMessageInput)
    .output(ZSendAck)
    .mutation(({ ctx, input }) =>
      sendMessage(ctx.services, { userId: ctx.user.id, clientId: ctx.client.id }, input),
    ),
});
