import {
  PRESENCE_TICKET_AUDIENCE,
  PRESENCE_TICKET_PEERS_CLAIM,
  PRESENCE_TICKET_TTL_SECONDS,
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
  REALTIME_TOKEN_TTL_SECONDS,
} from "@parley/protocol";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";

/** `dialogIds` becomes the `dlg` claim (big groups), as auth.realtimeToken sets it. */
export type MintOptions = { ttlSeconds?: number; issuedAtOffsetSeconds?: number; dialogIds?: unknown };

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export type TokenMint = {
  publicKeyPem: string;
  mint: (userId: string, clientId: string, options?: MintOptions) => Promise<string>;
  /** A presence watch ticket as the API's `presence.ticket` signs it: `peers` become the `pw` claim. */
  ticket: (userId: string, clientId: string, peers: unknown, options?: MintOptions) => Promise<string>;
};

/** A fresh Ed25519 pair per test run: tests mint tokens exactly as the API's auth.realtimeToken does. */
export async function createTokenMint(): Promise<TokenMint> {
  const { publicKey, privateKey } = await generateKeyPair(REALTIME_TOKEN_ALG, { extractable: true });
  return {
    publicKeyPem: await exportSPKI(publicKey),
    mint: (u, c, o) => mintWith(privateKey, u, c, o),
    ticket: (u, c, peers, o) => ticketWith(privateKey, u, c, peers, o),
  };
}

export function ticketWith(
  key: SigningKey,
  userId: string,
  clientId: string,
  peers: unknown,
  options: MintOptions = {},
): Promise<string> {
  const claims = { cid: clientId, [PRESENCE_TICKET_PEERS_CLAIM]: peers };
  return sign(key, claims, PRESENCE_TICKET_AUDIENCE, userId, PRESENCE_TICKET_TTL_SECONDS, options);
}

export function mintWith(
  key: SigningKey,
  userId: string,
  clientId: string,
  options: MintOptions = {},
): Promise<string> {
  const claims: Record<string, unknown> = { cid: clientId };
  if (options.dialogIds !== undefined) claims[REALTIME_TOKEN_DIALOGS_CLAIM] = options.dialogIds;
  return sign(key, claims, REALTIME_TOKEN_AUDIENCE, userId, REALTIME_TOKEN_TTL_SECONDS, options);
}

/** Signed as the API signs: its issuer, the audience, the user as subject, iat/exp from now (+ offset). */
function sign(
  key: SigningKey,
  claims: Record<string, unknown>,
  audience: string,
  userId: string,
  defaultTtlSeconds: number,
  options: MintOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000) + (options.issuedAtOffsetSeconds ?? 0);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: REALTIME_TOKEN_ALG })
    .setIssuer(REALTIME_TOKEN_ISSUER)
    .setAudience(audience)
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? defaultTtlSeconds))
    .sign(key);
}
