import { mintPresenceTicket } from "@parley/core/user";
import { MAX_PRESENCE_WATCH, ZId } from "@parley/protocol";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import { ZDbId } from "./messaging-inputs";

export const ZPresenceTicketInput = z.object({ userIds: z.array(ZDbId).min(1).max(MAX_PRESENCE_WATCH) });
export const ZPresenceTicketOutput = z.object({
  /** Send as `presence.watch { ticket }` on the socket; the gateway watches exactly these users. */
  ticket: z.string(),
  expiresAt: z.number().int(),
  /** The asked ids that share a dialog with the caller (the ones the ticket names). */
  userIds: z.array(ZId),
});

export const presenceRouter = createTRPCRouter({
  /** A signed list of the users this client may watch on the realtime socket. */
  ticket: protectedProcedure
    .input(ZPresenceTicketInput)
    .output(ZPresenceTicketOutput)
    .mutation(({ ctx, input }) => mintPresenceTicket(ctx.services, ctx.viewer, input.userIds)),
});
