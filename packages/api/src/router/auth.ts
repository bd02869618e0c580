import { PASSWORD_MAX_LENGTH, type SignInResult, ZDisplayName, ZHandle, ZPassword } from "@parley/auth";
import { mintRealtimeToken } from "@parley/core/user";
import { isWellFormedText, WELL_FORMED_TEXT_MESSAGE, ZId } from "@parley/protocol";
import { z } from "zod";
import type { Context } from "../context";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";

const ZMode = z.enum(["cookie", "token"]);
const ZClientName = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .refine(isWellFormedText, WELL_FORMED_TEXT_MESSAGE)
  .optional();

export const ZSignUpInput = z.object({
  handle: ZHandle,
  displayName: ZDisplayName,
  password: ZPassword,
  mode: ZMode,
  clientName: ZClientName,
});
export type TSignUpInput = z.infer<typeof ZSignUpInput>;

/** Sign-in does not apply today's password rules (older passwords may predate them); only bounds. */
export const ZSignInInput = z.object({
  handle: z.string().min(1).max(64),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  mode: ZMode,
  clientName: ZClientName,
});
export type TSignInInput = z.infer<typeof ZSignInInput>;

export const ZTokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Access token expiry, ms since the epoch: refresh a little before it. */
  expiresAt: z.number().int(),
});

export const ZSignInOutput = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("cookie"), userId: ZId, clientId: ZId }),
  ZTokenPair.extend({ mode: z.literal("token"), userId: ZId, clientId: ZId }),
]);
export type TSignInOutput = z.infer<typeof ZSignInOutput>;

export const ZRefreshInput = z.object({ refreshToken: z.string().min(1).max(256) });

export const ZOpenTabInput = z.object({ name: ZClientName }).optional();
export const ZOpenTabOutput = ZTokenPair.extend({ userId: ZId, clientId: ZId, parentClientId: ZId });
export type TOpenTabOutput = z.infer<typeof ZOpenTabOutput>;

export const ZRealtimeTokenOutput = z.object({
  token: z.string(),
  expiresAt: z.number().int(),
  /** The user is in more big groups than a token lists: poll dialog.changes for the rest. */
  unlistedBigDialogs: z.boolean(),
});

function signInResponse(ctx: Context, result: SignInResult): TSignInOutput {
  if (result.setCookie) ctx.resHeaders.append("set-cookie", result.setCookie);
  if (result.tokens) {
    return { mode: "token", userId: result.userId, clientId: result.clientId, ...result.tokens };
  }
  return { mode: "cookie", userId: result.userId, clientId: result.clientId };
}

function signInRequest(ctx: Context, input: { mode: "cookie" | "token"; clientName?: string }) {
  return { mode: input.mode, clientName: input.clientName, headers: ctx.req.headers, ip: ctx.req.ip };
}

export const authRouter = createTRPCRouter({
  /** Creates a user and signs this client in. Cookie mode for browsers, token mode for everyone else. */
  signUp: publicProcedure
    .input(ZSignUpInput)
    .output(ZSignInOutput)
    .mutation(async ({ ctx, input }) =>
      signInResponse(ctx, await ctx.services.auth.signUp(input, signInRequest(ctx, input))),
    ),

  /** Rate-limited per handle and per IP; the error never says whether the handle exists. */
  signIn: publicProcedure
    .input(ZSignInInput)
    .output(ZSignInOutput)
    .mutation(async ({ ctx, input }) =>
      signInResponse(ctx, await ctx.services.auth.signIn(input, signInRequest(ctx, input))),
    ),

  /**
   * Rotates a refresh token (authorised by the token itself). Presenting the same token again within
   * the grace returns the same successor; after the grace it signs the client out.
   */
  refresh: publicProcedure
    .input(ZRefreshInput)
    .output(ZTokenPair)
    .mutation(({ ctx, input }) => ctx.services.auth.refresh(input.refreshToken)),

  /**
   * A browser tab's own client: called with the browser's session cookie (a bearer caller gets
   * FORBIDDEN), it creates a child of that cookie client and returns its token pair, as token-mode
   * sign-in does. The tab then calls the API with `Authorization: Bearer` and refreshes as usual.
   */
  openTab: protectedProcedure
    .input(ZOpenTabInput)
    .output(ZOpenTabOutput)
    .mutation(({ ctx, input }) => ctx.services.auth.openTab(ctx.viewer, { name: input?.name })),

  /**
   * Signs this client out everywhere at once (sessions, refresh tokens, sockets). From a browser or
   * one of its tabs it signs the whole browser out (the cookie client and every tab) and clears the cookie.
   */
  signOut: protectedProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    const { clearCookie, browser } = await ctx.services.auth.signOut(ctx.viewer);
    if (browser) ctx.resHeaders.append("set-cookie", clearCookie);
    return { ok: true as const };
  }),

  /** A ≤ 60 s token for the WebSocket gateway; fetch a fresh one before `expiresAt`. */
  realtimeToken: protectedProcedure
    .output(ZRealtimeTokenOutput)
    .mutation(({ ctx }) => mintRealtimeToken(ctx.services, ctx.viewer)),
});
