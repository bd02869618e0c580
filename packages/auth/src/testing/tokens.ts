import { importPKCS8, SignJWT } from "jose";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "../jwt";

/**
 * Signs an access token with chosen times and key, for tests of expired or forged tokens (the real
 * signer never issues either).
 */
export async function signTestAccessToken(options: {
  privateKeyPem: string;
  userId: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
}): Promise<string> {
  const key = await importPKCS8(options.privateKeyPem, "EdDSA");
  return new SignJWT({ cid: options.clientId })
    .setProtectedHeader({ alg: "EdDSA" })
    .setSubject(options.userId)
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(Math.floor(options.issuedAt / 1000))
    .setExpirationTime(Math.floor(options.expiresAt / 1000))
    .sign(key);
}
