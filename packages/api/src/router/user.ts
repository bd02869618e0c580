import { AppError } from "@parley/core";
import { findUserByHandle, listProfiles } from "@parley/core/user";
import { ZId } from "@parley/protocol";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import { ZDbId } from "./messaging-inputs";
import { updateProfileProcedure, ZProfile } from "./profile";

export const ZPublicUser = z.object({ id: ZId, handle: z.string(), displayName: z.string() });

export const ZMeOutput = ZPublicUser.extend({ clientId: ZId });

export const ZClientOutput = z.object({
  id: ZId,
  name: z.string(),
  kind: z.enum(["browser", "token"]),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
  /** A browser tab's client: the browser client it belongs to (group tabs under it). */
  parentClientId: ZId.nullable(),
  /** The client making this call. */
  current: z.boolean(),
});

/** Ids in input are range-checked (BIGINT UNSIGNED): 20 digits past 2^64 − 1 is BAD_REQUEST. */
export const ZRevokeClientInput = z.object({ clientId: ZDbId });
export const ZByHandleInput = z.object({ handle: z.string().trim().min(1).max(64) });
export const ZByIdsInput = z.object({ ids: z.array(ZDbId).min(1).max(100) });

export const userRouter = createTRPCRouter({
  me: protectedProcedure.output(ZMeOutput).query(async ({ ctx }) => {
    const user = await ctx.services.auth.getUser(ctx.user.id);
    if (!user) throw new AppError("NOT_FOUND", "user not found");
    return { ...user, clientId: ctx.client.id };
  }),

  /** This user's clients (devices, browsers), newest activity first; only the user's own shard. */
  clients: protectedProcedure.output(z.array(ZClientOutput)).query(async ({ ctx }) => {
    const clients = await ctx.services.auth.listClients(ctx.user.id);
    return clients.map((client) => ({
      id: client.id,
      name: client.name,
      kind: client.kind,
      createdAt: client.createdAt.getTime(),
      lastSeenAt: client.lastSeenAt.getTime(),
      revokedAt: client.revokedAt?.getTime() ?? null,
      parentClientId: client.parentClientId,
      current: client.id === ctx.client.id,
    }));
  }),

  /** Signs one of the user's clients out (a browser with its tabs); the others keep working. */
  revokeClient: protectedProcedure
    .input(ZRevokeClientInput)
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      // Scoped by the caller's user id: another user's client id is simply "not found".
      const revoked = await ctx.services.auth.revokeClient(ctx.user.id, input.clientId);
      if (!revoked) throw new AppError("NOT_FOUND", "no such client");
      return { revoked: true as const };
    }),

  /** Public profile fields of a handle, for starting a chat (budgeted: see findUserByHandle). */
  byHandle: protectedProcedure
    .input(ZByHandleInput)
    .output(ZPublicUser)
    .query(({ ctx, input }) =>
      findUserByHandle(ctx.services, { userId: ctx.user.id, clientId: ctx.client.id }, input.handle),
    ),

  /**
   * Public profile fields of users the caller already saw by id (message senders, members, the peer
   * of a direct dialog), so clients can show names. Unknown ids are left out. Free for people the
   * caller shares a dialog with; anyone else spends the byHandle budget (@parley/core/user listProfiles).
   */
  byIds: protectedProcedure
    .input(ZByIdsInput)
    .output(z.array(ZProfile))
    .query(({ ctx, input }) =>
      listProfiles(ctx.services, { userId: ctx.user.id, clientId: ctx.client.id }, input.ids),
    ),

  updateProfile: updateProfileProcedure,
});
