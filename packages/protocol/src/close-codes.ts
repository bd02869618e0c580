/** Named WebSocket close codes. "Resumable" codes mean: reconnect and catch up from the store. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001; // server shutting down: reconnect elsewhere (resumable)
export const CLOSE_ABNORMAL = 1006; // no close frame (process died, network cut): resumable
export const CLOSE_MESSAGE_TOO_BIG = 1009; // a frame over MAX_CLIENT_FRAME_BYTES (a client bug: not resumed)
export const CLOSE_INTERNAL_ERROR = 1011; // gateway failure (resumable)
export const CLOSE_BAD_FRAME = 4000; // repeated garbage / binary / unknown frames
export const CLOSE_UNAUTHORIZED = 4001; // missing or forged token: get a new token before retrying
export const CLOSE_TOKEN_EXPIRED = 4002; // token expired without an in-band refresh (resumable)
export const CLOSE_REVOKED = 4003; // client revoked: sign in again, do not reconnect
export const CLOSE_IDLE = 4004; // no heartbeat (resumable)
export const CLOSE_RATE_LIMITED = 4008; // frame flood (resumable after backoff)
export const CLOSE_TOO_MANY_SOCKETS = 4009; // the client or user already holds its share of sockets here (resumable after backoff)
export const CLOSE_SLOW_CONSUMER = 4010; // send queue over its bound (resumable)

export const RESUMABLE_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_GOING_AWAY,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_IDLE,
  CLOSE_RATE_LIMITED,
  CLOSE_TOO_MANY_SOCKETS,
  CLOSE_SLOW_CONSUMER,
  CLOSE_ABNORMAL,
  CLOSE_INTERNAL_ERROR,
]);

/** Codes after which a client fetches a fresh realtime token before reconnecting. */
export const REAUTH_CLOSE_CODES: ReadonlySet<number> = new Set([CLOSE_UNAUTHORIZED, CLOSE_TOKEN_EXPIRED]);

/** Codes after which a client stops: reconnecting cannot help. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([CLOSE_REVOKED]);
