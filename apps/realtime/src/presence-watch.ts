import type { TClientFrame } from "@parley/protocol";
import type { TokenVerifier } from "./auth";
import type { Socket } from "./socket";

type WatchFrame = Extract<TClientFrame, { type: "presence.watch" }>;

export type WatchList = { ok: true; userIds: string[] } | { ok: false };

/**
 * The users a presence.watch frame may watch. The gateway has no database, so it cannot tell who
 * shares a dialog with whom: the API says so in a signed ticket, bound to one client. Without a
 * ticket only stopping (an empty list) is allowed; with one, the ticket's users, narrowed to
 * `userIds` when the frame names some.
 */
export async function resolveWatchList(
  verifier: TokenVerifier,
  ws: Socket,
  frame: WatchFrame,
): Promise<WatchList> {
  if (frame.ticket === undefined) {
    return (frame.userIds?.length ?? 0) === 0 ? { ok: true, userIds: [] } : { ok: false };
  }
  const ticket = await verifier.verifyTicket(frame.ticket);
  // Someone else's ticket (another user, or another client of ours) is not ours to use.
  if (!ticket.ok || ticket.userId !== ws.data.userId || ticket.clientId !== ws.data.clientId) {
    return { ok: false };
  }
  if (frame.userIds === undefined) return { ok: true, userIds: [...ticket.peers] };
  const allowed = new Set(ticket.peers);
  return { ok: true, userIds: frame.userIds.filter((id) => allowed.has(id)) };
}
