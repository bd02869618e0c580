import { z } from "zod";
import { ZId } from "./ids";

/**
 * A presence watch ticket: an EdDSA JWT signed with the realtime key by the API (`presence.ticket`)
 * and checked by gateways with the public key, like the realtime token. `sub` / `cid` bind it to one
 * client; `pw` lists the users that client may watch — only users who share a dialog with it (the
 * gateway has no database, so the API decides and signs). Its own audience: a realtime token is
 * never a ticket and a ticket never opens a socket.
 */
export const PRESENCE_TICKET_AUDIENCE = "parley-presence";
/**
 * Checked when a watch starts, so it bounds how long a user removed from every shared dialog can
 * still be watched by a ticket issued before the removal (plus the life of the watch it started).
 */
export const PRESENCE_TICKET_TTL_SECONDS = 300;
export const PRESENCE_TICKET_PEERS_CLAIM = "pw";
/**
 * Most users one socket watches (and one ticket lists). 100 keeps a ticket near 3.4 KB, inside one
 * client frame (MAX_CLIENT_FRAME_BYTES).
 */
export const MAX_PRESENCE_WATCH = 100;
/** The longest ticket a `presence.watch` frame may carry. */
export const MAX_PRESENCE_TICKET_CHARS = 3_900;
export const ZPresenceTicketPeers = z.array(ZId).max(MAX_PRESENCE_WATCH);
