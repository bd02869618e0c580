import {
  PRESENCE_TICKET_AUDIENCE,
  PRESENCE_TICKET_PEERS_CLAIM,
  PRESENCE_TICKET_TTL_SECONDS,
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_ISSUER,
} from "@parley/protocol";
import { type CryptoKey, SignJWT } from "jose";
import type { SignedToken, TokenSubject } from "./jwt";

/**
 * A presence watch ticket (packages/protocol presence-ticket.ts): signed with the realtime key, so
 * gateways check it with the public key they already hold. `peers` must already be filtered to users
 * who share a dialog with the subject — the ticket is the API's word on it. Bound to one client
 * (`sub` + `cid`); its own audience, so it opens no socket and no realtime token passes as one.
 */
export async function signPresenceTicket(
  key: CryptoKey,
  subject: TokenSubject,
  peers: readonly string[],
): Promise<SignedToken> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + PRESENCE_TICKET_TTL_SECONDS;
  const token = await new SignJWT({ cid: subject.clientId, [PRESENCE_TICKET_PEERS_CLAIM]: [...peers] })
    .setProtectedHeader({ alg: REALTIME_TOKEN_ALG, typ: "JWT" })
    .setSubject(subject.userId)
    .setIssuer(REALTIME_TOKEN_ISSUER)
    .setAudience(PRESENCE_TICKET_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: exp * 1000 };
}
