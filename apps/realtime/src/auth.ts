import {
  checkRealtimeToken,
  importRealtimePublicKey,
  type RealtimeTokenClaims,
  type RealtimeTokenKey,
  type RealtimeTokenRefusal,
} from "@parley/auth/realtime-token";
import {
  CLOSE_TOKEN_EXPIRED,
  CLOSE_UNAUTHORIZED,
  PRESENCE_TICKET_AUDIENCE,
  PRESENCE_TICKET_PEERS_CLAIM,
  PRESENCE_TICKET_TTL_SECONDS,
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_ISSUER,
  ZId,
  ZPresenceTicketPeers,
} from "@parley/protocol";
import { jwtVerify } from "jose";

export { importRealtimePublicKey };

/** `dialogIds`: the big groups whose `chat.dialog.<id>` this socket may hear (the `dlg` claim). */
export type TokenClaims = RealtimeTokenClaims;
export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; closeCode: number; reason: string };

/** A presence ticket: `peers` are the users the API allows this client to watch. */
export type TicketCheck =
  | { ok: true; userId: string; clientId: string; peers: readonly string[] }
  | { ok: false };

export type TokenVerifier = {
  verify: (token: string | null | undefined) => Promise<TokenCheck>;
  verifyTicket: (ticket: string) => Promise<TicketCheck>;
};

/** The words a refused socket's close frame carries (for logs and people; clients act on the code). */
const REFUSAL_REASONS: Record<RealtimeTokenRefusal, string> = {
  missing: "missing token",
  expired: "token expired",
  invalid: "invalid token",
  bad_claims: "bad claims",
  too_long: "token lives too long",
};

/**
 * Verifies realtime tokens with the public key only, by the one verifier of @parley/auth (no database
 * call on the upgrade path). Expired → CLOSE_TOKEN_EXPIRED (resumable: fetch a new token); anything
 * else wrong → CLOSE_UNAUTHORIZED.
 */
export function createTokenVerifier(key: RealtimeTokenKey, skewMs: number): TokenVerifier {
  const skewSeconds = Math.ceil(skewMs / 1000);
  return {
    async verify(token) {
      const check = await checkRealtimeToken(key, token, { clockToleranceMs: skewMs });
      if (check.ok) return check;
      const closeCode = check.refusal === "expired" ? CLOSE_TOKEN_EXPIRED : CLOSE_UNAUTHORIZED;
      return { ok: false, closeCode, reason: REFUSAL_REASONS[check.refusal] };
    },
    async verifyTicket(ticket) {
      try {
        // Its own audience: a realtime token (or any other token of ours) is never a ticket.
        const { payload } = await jwtVerify(ticket, key, {
          issuer: REALTIME_TOKEN_ISSUER,
          audience: PRESENCE_TICKET_AUDIENCE,
          algorithms: [REALTIME_TOKEN_ALG],
          clockTolerance: skewSeconds,
          requiredClaims: ["exp", "sub", "cid", PRESENCE_TICKET_PEERS_CLAIM],
        });
        const userId = ZId.safeParse(payload.sub);
        const clientId = ZId.safeParse(payload.cid);
        const peers = ZPresenceTicketPeers.safeParse(payload[PRESENCE_TICKET_PEERS_CLAIM]);
        if (!userId.success || !clientId.success || !peers.success || typeof payload.exp !== "number") {
          return { ok: false };
        }
        // The ticket's life bounds how long a removed member stays watchable: refuse longer ones.
        if (payload.exp - Date.now() / 1000 > PRESENCE_TICKET_TTL_SECONDS + skewSeconds) return { ok: false };
        return { ok: true, userId: userId.data, clientId: clientId.data, peers: peers.data };
      } catch {
        return { ok: false };
      }
    },
  };
}
