import { z } from "zod";
import { ZUserEvent } from "./events";
import { ZId } from "./ids";
import { MAX_PRESENCE_TICKET_CHARS, MAX_PRESENCE_WATCH } from "./presence-ticket";

export const MAX_CLIENT_FRAME_BYTES = 4096;
/** The longest realtime token a client may send in-band (the frame around it stays under 4 KB). */
export const MAX_REALTIME_TOKEN_CHARS = 4000;

/** The query parameter that carries the realtime token on `GET /ws` (browsers cannot set headers). */
export const REALTIME_TOKEN_QUERY_PARAM = "token";

/** Frames a client sends over the socket. */
export const ZClientFrame = z.discriminatedUnion("type", [
  /**
   * In-band token refresh before the current one expires. Room for a token listing
   * MAX_TOKEN_BIG_DIALOGS big dialogs (~3.3 KB) inside MAX_CLIENT_FRAME_BYTES.
   */
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(MAX_REALTIME_TOKEN_CHARS) }),
  z.object({ type: z.literal("ping"), t: z.number().int().optional() }),
  z.object({ type: z.literal("pong"), t: z.number().int().optional() }),
  /**
   * Replace the watched set. `ticket` (from the API's `presence.ticket`) names who this client may
   * watch: the set becomes the ticket's users, narrowed to `userIds` when both are given. Without a
   * ticket only an empty set (stop watching) is accepted.
   */
  z.object({
    type: z.literal("presence.watch"),
    userIds: z.array(ZId).max(MAX_PRESENCE_WATCH).optional(),
    ticket: z.string().min(1).max(MAX_PRESENCE_TICKET_CHARS).optional(),
  }),
]);
export type TClientFrame = z.infer<typeof ZClientFrame>;
export const CLIENT_FRAME_TYPES = ["auth", "ping", "pong", "presence.watch"] as const;

/**
 * Codes of `error` frames. A socket survives a few of them; repeated ones close it with
 * CLOSE_BAD_FRAME so a broken client cannot spin on the gateway.
 */
export const FRAME_ERROR_CODES = {
  badJson: "bad_json",
  badFrame: "bad_frame",
  unknownFrame: "unknown_frame",
  binaryFrame: "binary_frame",
  tokenMismatch: "token_mismatch",
  tokenInvalid: "token_invalid",
  /** presence.watch without a valid ticket for this client (missing, expired, forged, someone else's). */
  presenceNotAllowed: "presence_not_allowed",
  /** presence.watch over a work budget (new watches per second, watched users here): nothing changed. */
  presenceLimited: "presence_limited",
} as const;
export type TFrameErrorCode = (typeof FRAME_ERROR_CODES)[keyof typeof FRAME_ERROR_CODES];

/** Frames the gateway sends. `event` wraps what arrived on the user's NATS subject. */
export const ZServerFrame = z.discriminatedUnion("type", [
  /**
   * Sent once the gateway's NATS subscription for the user is live: a client catches up only after
   * hello, so nothing committed in between can fall through the gap.
   */
  z.object({
    type: z.literal("hello"),
    connectionId: z.string(),
    heartbeatMs: z.number().int(),
    tokenExpiresAt: z.number().int(),
    gatewayId: z.string().optional(),
  }),
  z.object({ type: z.literal("auth.ok"), tokenExpiresAt: z.number().int() }),
  z.object({ type: z.literal("ping"), t: z.number().int().optional() }),
  z.object({ type: z.literal("pong"), t: z.number().int().optional() }),
  /** The gateway may have missed events (NATS reconnect): catch up with dialog.changes / dialog.sync. */
  z.object({ type: z.literal("resync"), reason: z.string() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
  z.object({ type: z.literal("event"), event: ZUserEvent }),
]);
export type TServerFrame = z.infer<typeof ZServerFrame>;
