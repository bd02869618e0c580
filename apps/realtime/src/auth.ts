import {
  CLOSE_TOKEN_EXPIRED,
  CLOSE_UNAUTHORIZED,
  PRESENCE_TICKET_AUDIENCE,
  PRESENCE_TICKET_PEERS_CLAIM,
  PRESENCE_TICKET_TTL_SECONDS,
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
  REALTIME_TOKEN_TTL_SECONDS,
  ZId,
  ZPresenceTicketPeers,
  ZRealtimeDialogsClaim,
} from "@parley/protocol";
import { importJWK, importSPKI, type JWK, jwtVerify } from "jose";

/** `dialogIds`: the big groups whose `chat.dialog.<id>` this socket may hear (the `dlg` claim). */
export type TokenClaims = {
  userId: string;
  clientId: string;
  /** ms since the epoch, from `iat` (whole seconds): when the API read the user's big groups. */
  issuedAt: number;
  expiresAt: number;
  dialogIds: readonly string[];
};
export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; closeCode: number; reason: string };

/** A presence ticket: `peers` are the users the API allows this client to watch. */
export type TicketCheck =
  | { ok: true; userId: string; clientId: string; peers: readonly string[] }
  | { ok: false };

export type TokenVerifier = {
  verify: (token: string | null | undefined) => Promise<TokenCheck>;
  verifyTicket: (ticket: string) => Promise<TicketCheck>;
};

/** Shared by every socket without big groups: no array per socket for the common case. */
const NO_DIALOGS: readonly string[] = Object.freeze([]);

type VerifyKey = Awaited<ReturnType<typeof importSPKI>>;

/** Accepts an SPKI PEM (env files often carry "\n" escapes) or a public JWK in JSON. */
export async function importRealtimePublicKey(material: string): Promise<VerifyKey> {
  const text = material.trim();
  if (text.startsWith("{")) {
    const jwk = JSON.parse(text) as JWK;
    // Refuse a private JWK: a gateway holding the signing key could mint tokens.
    if ("d" in jwk) throw new Error("REALTIME_TOKEN_PUBLIC_KEY must be a public key (JWK has d)");
    const key = await importJWK(jwk, REALTIME_TOKEN_ALG);
    if (key instanceof Uint8Array) throw new Error("REALTIME_TOKEN_PUBLIC_KEY must be an OKP key");
    return key;
  }
  return importSPKI(text.replace(/\\n/g, "\n"), REALTIME_TOKEN_ALG);
}

/**
 * Verifies realtime tokens with the public key only: no database call on the upgrade path, so a
 * reconnect storm costs signature checks, not queries. Expired → CLOSE_TOKEN_EXPIRED (resumable:
 * fetch a new token); anything else wrong → CLOSE_UNAUTHORIZED.
 */
export function createTokenVerifier(key: VerifyKey, skewMs: number): TokenVerifier {
  const skewSeconds = Math.ceil(skewMs / 1000);
  return {
    async verify(token) {
      if (!token) return { ok: false, closeCode: CLOSE_UNAUTHORIZED, reason: "missing token" };
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: REALTIME_TOKEN_ISSUER,
          audience: REALTIME_TOKEN_AUDIENCE,
          // Pin the algorithm: never let the token header choose how it is checked.
          algorithms: [REALTIME_TOKEN_ALG],
          clockTolerance: skewSeconds,
          requiredClaims: ["exp", "sub", "cid"],
        });
        const userId = ZId.safeParse(payload.sub);
        const clientId = ZId.safeParse(payload.cid);
        const dialogIds = ZRealtimeDialogsClaim.safeParse(payload[REALTIME_TOKEN_DIALOGS_CLAIM]);
        if (!userId.success || !clientId.success || !dialogIds.success || typeof payload.exp !== "number") {
          return { ok: false, closeCode: CLOSE_UNAUTHORIZED, reason: "bad claims" };
        }
        // A long-lived token would outlive a revoke the gateway missed; the 60 s cap bounds that.
        const issuedAt = typeof payload.iat === "number" ? payload.iat : payload.exp;
        const nowSeconds = Date.now() / 1000;
        if (
          payload.exp - issuedAt > REALTIME_TOKEN_TTL_SECONDS + skewSeconds ||
          payload.exp - nowSeconds > REALTIME_TOKEN_TTL_SECONDS + skewSeconds
        ) {
          return { ok: false, closeCode: CLOSE_UNAUTHORIZED, reason: "token lives too long" };
        }
        return {
          ok: true,
          claims: {
            userId: userId.data,
            clientId: clientId.data,
            issuedAt: issuedAt * 1000,
            expiresAt: payload.exp * 1000,
            dialogIds: dialogIds.data?.length ? [...new Set(dialogIds.data)] : NO_DIALOGS,
          },
        };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === "ERR_JWT_EXPIRED") {
          return { ok: false, closeCode: CLOSE_TOKEN_EXPIRED, reason: "token expired" };
        }
        return { ok: false, closeCode: CLOSE_UNAUTHORIZED, reason: "invalid token" };
      }
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
