import type { ServerWebSocket } from "bun";

/**
 * Per-socket state. Kept flat and small (no closures, no timers): one process holds ~19k of these
 * and the memory aim is ≤ 5 KB per socket including Bun's own buffers.
 */
export type SocketData = {
  connId: number;
  userId: string;
  clientId: string;
  /** ms since epoch; the sweep closes the socket after this unless an in-band auth moved it. */
  expiresAt: number;
  lastRecvAt: number;
  lastPingAt: number;
  /** Token bucket for flood control. */
  tokens: number;
  tokensAt: number;
  badFrames: number;
  /** Set on a failed upgrade check: open() closes with this code (browsers only see close codes). */
  rejectCode: number;
  rejectReason: string;
  closing: boolean;
  watching: string[] | null;
  /** Counts presence.watch frames: a ticket checked after a later frame's must not win. */
  watchSeq: number;
  /**
   * Big dialogs whose topic this socket is in: its token's `dlg` (joined on open, replaced by each
   * in-band refresh), minus any it left since.
   */
  dialogs: readonly string[];
  /**
   * Big dialogs the user left while this socket was open, with when the gateway heard it: a token
   * minted before the removal must not subscribe them again. Cleared by a later "joined", or by a
   * token minted clearly after the removal (it lists only dialogs the user is in again). Null for
   * nearly every socket.
   */
  leftDialogs: { dialogId: string; at: number }[] | null;
};

export type Socket = ServerWebSocket<SocketData>;
