import type { GatewayEnv } from "./env";
import type { Socket } from "./socket";

/**
 * Whether one more socket of this client fits on this process. One token (a minute of validity)
 * could otherwise open sockets until the process runs out of file descriptors. Counted from the
 * user's sockets here, which the per-user bound keeps to a handful: no per-client index.
 */
export function hasSocketRoom(
  userSockets: readonly Socket[],
  clientId: string,
  env: Pick<GatewayEnv, "MAX_SOCKETS_PER_CLIENT" | "MAX_SOCKETS_PER_USER">,
): boolean {
  if (userSockets.length >= env.MAX_SOCKETS_PER_USER) return false;
  let ofClient = 0;
  for (const ws of userSockets) if (ws.data.clientId === clientId) ofClient++;
  return ofClient < env.MAX_SOCKETS_PER_CLIENT;
}
