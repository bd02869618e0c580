import {
  ERROR_REASON,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
  REALTIME_TOKEN_TTL_SECONDS,
  ZId,
} from "@parley/protocol";
import { type CryptoKey, errors, importPKCS8, importSPKI, jwtVerify, SignJWT } from "jose";
import { AuthError } from "./errors";

export const ACCESS_TOKEN_ISSUER = "parley";
export const ACCESS_TOKEN_AUDIENCE = "parley-api";
const ALG = "EdDSA";

export type TokenSubject = { userId: string; clientId: string };
export type SignedToken = { token: string; expiresAt: number };

export function importPrivateKey(pem: string): Promise<CryptoKey> {
  return importPKCS8(pem, ALG);
}

export function importPublicKey(pem: string): Promise<CryptoKey> {
  return importSPKI(pem, ALG);
}

async function sign(
  key: CryptoKey,
  subject: TokenSubject,
  issuer: string,
  audience: string,
  ttlSeconds: number,
  claims: Record<string, unknown> = {},
): Promise<SignedToken> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + ttlSeconds;
  const token = await new SignJWT({ ...claims, cid: subject.clientId })
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setSubject(subject.userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: exp * 1000 };
}

async function verify(key: CryptoKey, token: string, issuer: string, audience: string) {
  // The algorithm is pinned: a token may not pick its own (no "none", no HMAC-with-public-key).
  const { payload } = await jwtVerify(token, key, { issuer, audience, algorithms: [ALG] });
  const userId = ZId.safeParse(payload.sub);
  const clientId = ZId.safeParse(payload.cid);
  if (!userId.success || !clientId.success || payload.exp === undefined) {
    throw new AuthError("UNAUTHORIZED", "token has no valid subject");
  }
  return { userId: userId.data, clientId: clientId.data, expiresAt: payload.exp * 1000 };
}

/** The API's bearer token: short-lived so a stolen one is worth little, verified without a lookup. */
export function signAccessToken(key: CryptoKey, subject: TokenSubject, ttlSeconds: number) {
  return sign(key, subject, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_AUDIENCE, Math.min(ttlSeconds, 900));
}

export async function verifyAccessToken(key: CryptoKey, token: string) {
  try {
    return await verify(key, token, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_AUDIENCE);
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new AuthError("UNAUTHORIZED", "access token expired: refresh it", {
        reason: ERROR_REASON.ACCESS_TOKEN_EXPIRED,
      });
    }
    throw new AuthError("UNAUTHORIZED", "invalid access token", {
      reason: ERROR_REASON.ACCESS_TOKEN_INVALID,
    });
  }
}

/**
 * The WebSocket token: ≤ 60 s, so a revoked client cannot reconnect for long even if a revoke is lost.
 * `dialogIds` (the `dlg` claim): the big groups the user is in at mint time, whose chat.dialog.<id>
 * subjects the gateway subscribes for the socket; left out when empty. A removed member's next token
 * no longer lists the dialog, so the 60 s life also bounds a lost "left" event.
 */
export function signRealtimeToken(key: CryptoKey, subject: TokenSubject, dialogIds: readonly string[] = []) {
  const claims = dialogIds.length > 0 ? { [REALTIME_TOKEN_DIALOGS_CLAIM]: dialogIds } : {};
  return sign(
    key,
    subject,
    REALTIME_TOKEN_ISSUER,
    REALTIME_TOKEN_AUDIENCE,
    REALTIME_TOKEN_TTL_SECONDS,
    claims,
  );
}
