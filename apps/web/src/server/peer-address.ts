/**
 * The caller's socket address, for a front that has one (apps/web/server.ts). Next's route handlers
 * never see the socket, and `next start` fills X-Forwarded-For with it only when the client sent
 * none, so with no proxy in front this header, written by our server over anything a client sent
 * under that name, is the one trustworthy source of the caller's address. No imports: server.ts loads
 * this outside Next's bundles, and the flag crosses module copies through globalThis.
 */
export const PEER_HEADER = "x-parley-peer-address";

const PEER_TRUSTED = Symbol.for("parley.web.peer-header-trusted");
type PeerFlag = { [PEER_TRUSTED]?: boolean };

/** Called by our server before it takes requests: from now on PEER_HEADER is ours. */
export function trustPeerHeader(): void {
  (globalThis as PeerFlag)[PEER_TRUSTED] = true;
}

export function isPeerHeaderTrusted(): boolean {
  return (globalThis as PeerFlag)[PEER_TRUSTED] === true;
}

/** Overwrites PEER_HEADER with the socket address: a client-sent value never survives. */
export function stampPeerAddress(request: {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string | undefined };
}): void {
  request.headers[PEER_HEADER] = request.socket.remoteAddress ?? "";
}
