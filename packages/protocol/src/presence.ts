import { z } from "zod";
import { ZId } from "./ids";

/**
 * Gateways have no database: when a client's last socket closes they publish a compact "seen"
 * record here, and the worker writes `user_clients.last_seen_at` in batches (queue group, so one
 * worker handles each record).
 */
export const PRESENCE_SEEN_SUBJECT = "chat.presence.seen";
export const PRESENCE_SEEN_QUEUE = "presence-recorder";

/** u = user id, c = client id, t = ms since epoch, g = gateway id (short keys: one per disconnect). */
export const ZPresenceSeen = z.object({ u: ZId, c: ZId, t: z.number().int(), g: z.string().max(128) });
export type TPresenceSeen = z.infer<typeof ZPresenceSeen>;

/**
 * Header set on a NATS request to `chat.user.<id>` that asks "does any gateway hold a socket of this
 * user?". Gateways that do answer it (and never forward it); no responders means offline.
 */
export const PRESENCE_PROBE_HEADER = "Parley-Presence-Probe";
