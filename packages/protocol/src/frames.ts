import { z } from "zod";
import { ZUserEvent } from "./events";
import { ZId } from "./ids";

export const MAX_CLIENT_FRAME_BYTES = 4096;

/** Frames a client sends over the socket. */
export const ZClientFrame = z.discriminatedUnion("type", [
  /** In-band token refresh before the current one expires. */
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(2048) }),
  z.object({ type: z.literal("ping"), t: z.number().int().optional() }),
  z.object({ type: z.literal("pong"), t: z.number().int().optional() }),
  /** Watch the presence of these users (replaces the previous set). */
  z.object({ type: z.literal("presence.watch"), userIds: z.array(ZId).max(500) }),
]);
export type TClientFrame = z.infer<typeof ZClientFrame>;

/** Frames the gateway sends. `event` wraps what arrived on the user's NATS subject. */
export const ZServerFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    connectionId: z.string(),
    heartbeatMs: z.number().int(),
    tokenExpiresAt: z.number().int(),
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
