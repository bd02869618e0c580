import {
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
  REALTIME_TOKEN_TTL_SECONDS,
  ZId,
  ZRealtimeDialogsClaim,
} from "@parley/protocol";
import { type CryptoKey, importJWK, importSPKI, type JWK, jwtVerify } from "jose";
import { AuthError } from "./errors";

/**
 * The one verifier of realtime (WebSocket) tokens, entry `@parley/auth/realtime-token`. A gateway
 * checks every connect and in-band refresh with the public key alone: no database call on the upgrade
 * path, so a reconnect storm costs signature checks, not queries. This module imports only jose and
 * the protocol (its errors module included), so a gateway takes it without the UAA's database, Redis
 * or NATS code.
 */
export type RealtimeTokenKey = CryptoKey;

export type RealtimeTokenClaims = {
  userId: string;
  clientId: string;
  /** ms since the epoch, from `iat` (whole seconds): when the API read the user's big groups. */
  issuedAt: number;
  expiresAt: number;
  /** The big groups whose `chat.dialog.<id>` the socket may hear (the `dlg` claim), no repeats. */
  dialogIds: readonly string[];
};

/**
 * Why a token was refused: `expired` is resumable (fetch a new token); every other refusal means the
 * token was never good: `invalid` (signature, issuer, audience, algorithm, shape), `bad_claims` (a
 * subject, client or `dlg` that is not ids), `too_long` (a life beyond the 60 s cap).
 */
export type RealtimeTokenRefusal = "missing" | "expired" | "invalid" | "bad_claims" | "too_long";

export type RealtimeTokenCheck =
  | { ok: true; claims: RealtimeTokenClaims }
  | { ok: false; refusal: RealtimeTokenRefusal };

export type RealtimeTokenCheckOptions = {
  /** Clock skew tolerated on expiry and on the life cap (a gateway's TOKEN_SKEW_MS). */
  clockToleranceMs?: number;
};

/** Shared by every token without big groups: no array per socket for the common case. */
const NO_DIALOGS: readonly string[] = Object.freeze([]);

/** Accepts an SPKI PEM (env files often carry literal "\n" escapes) or a public JWK in JSON. */
export async function importRealtimePublicKey(material: string): Promise<RealtimeTokenKey> {
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

/** Checks a realtime token; never throws (a gateway turns a refusal into a close code). */
export async function checkRealtimeToken(
  key: RealtimeTokenKey,
  token: string | null | undefined,
  options: RealtimeTokenCheckOptions = {},
): Promise<RealtimeTokenCheck> {
  if (!token) return { ok: false, refusal: "missing" };
  const skewSeconds = Math.ceil((options.clockToleranceMs ?? 0) / 1000);
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: REALTIME_TOKEN_ISSUER,
      audience: REALTIME_TOKEN_AUDIENCE,
      // Pin the algorithm: never let the token header choose how it is checked (no "none", no HMAC
      // keyed with the public key).
      algorithms: [REALTIME_TOKEN_ALG],
      clockTolerance: skewSeconds,
      requiredClaims: ["exp", "sub", "cid"],
    });
    const userId = ZId.safeParse(payload.sub);
    const clientId = ZId.safeParse(payload.cid);
    const dialogIds = ZRealtimeDialogsClaim.safeParse(payload[REALTIME_TOKEN_DIALOGS_CLAIM]);
    if (!userId.success || !clientId.success || !dialogIds.success || typeof payload.exp !== "number") {
      return { ok: false, refusal: "bad_claims" };
    }
    // A long-lived token would outlive a revoke the gateway missed; the 60 s cap bounds that.
    const issuedAt = typeof payload.iat === "number" ? payload.iat : payload.exp;
    const nowSeconds = Date.now() / 1000;
    const maxLife = REALTIME_TOKEN_TTL_SECONDS + skewSeconds;
    if (payload.exp - issuedAt > maxLife || payload.exp - nowSeconds > maxLife) {
      return { ok: false, refusal: "too_long" };
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
    // jose's error code, not its class: the same check holds if jose is loaded twice.
    const code = (error as { code?: unknown }).code;
    return { ok: false, refusal: code === "ERR_JWT_EXPIRED" ? "expired" : "invalid" };
  }
}

export type VerifiedRealtimeToken = Omit<RealtimeTokenClaims, "dialogIds"> & { dialogIds: string[] };

/**
 * The same check for callers that want an exception (the API's tests, tools): accepts a PEM or an
 * imported key; throws AuthError UNAUTHORIZED ("realtime token expired" / "invalid realtime token").
 */
export async function verifyRealtimeToken(
  publicKey: RealtimeTokenKey | string,
  token: string,
): Promise<VerifiedRealtimeToken> {
  const key = typeof publicKey === "string" ? await importRealtimePublicKey(publicKey) : publicKey;
  const check = await checkRealtimeToken(key, token);
  if (!check.ok) {
    const expired = check.refusal === "expired";
    throw new AuthError("UNAUTHORIZED", expired ? "realtime token expired" : "invalid realtime token");
  }
  return { ...check.claims, dialogIds: [...check.claims.dialogIds] };
}
