import { listLastSeen, mintPresenceTicket } from "@parley/core/user";
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

export const ZLastSeenInput = z.object({ userIds: z.array(ZDbId).min(1).max(MAX_PRESENCE_WATCH) });
export const ZLastSeenOutput = z.array(z.object({ userId: ZId, lastSeenAt: z.number().int().nullable() }));

export const presenceRouter = createTRPCRouter({
  /** A signed list of the users this client may watch on the realtime socket. */
  ticket: protectedProcedure
    .input(ZPresenceTicketInput)
    .output(ZPresenceTicketOutput)
    .mutation(({ ctx, input }) => mintPresenceTicket(ctx.services, ctx.viewer, input.userIds)),

  /**
   * When people who share a dialog with the caller were last seen (stored; the gateway knows only
   * who is online now). Strangers and unknown ids are left out, like tickets; on the read budget.
   */
  lastSeen: protectedProcedure
    .input(ZLastSeenInput)
    .output(ZLastSeenOutput)
    .query(({ ctx, input }) =>
      listLastSeen(ctx.services, { userId: ctx.user.id, clientId: ctx.client.id }, input.userIds),
    ),
});
