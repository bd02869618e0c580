import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { hashesEqual } from "../tokens";
import { OidcError } from "./errors";

export type IdTokenClaims = JWTPayload & {
  sub: string;
  email?: string;
  preferred_username?: string;
  name?: string;
};

export type IdTokenExpectations = {
  jwks: JWTVerifyGetKey;
  issuer: string;
  clientId: string;
  nonce: string;
};

/** Asymmetric algorithms only: an HMAC token "signed" with public material must never verify. */
const ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];

/**
 * Verifies an ID token (OIDC Core §3.1.3.7): signature by the provider's JWKS, `iss`, `aud`
 * (and `azp` when there are several audiences), `exp`, and the `nonce` we sent, which binds the token
 * to this browser's flow so a token captured elsewhere cannot be replayed here.
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<IdTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.jwks, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: ALLOWED_ALGORITHMS,
      requiredClaims: ["sub", "exp", "iat"],
      clockTolerance: 5,
    }));
  } catch (error) {
    throw mapJoseError(error);
  }
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
    throw new OidcError("id_token_audience", "ID token azp does not name this client");
  }
  if (typeof payload.nonce !== "string" || !hashesEqual(payload.nonce, expected.nonce)) {
    throw new OidcError("nonce_mismatch", "ID token nonce does not match this sign-in");
  }
  if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 255) {
    throw new OidcError("id_token_invalid", "ID token subject is invalid");
  }
  return payload as IdTokenClaims;
}

function mapJoseError(error: unknown): OidcError {
  if (error instanceof errors.JWTExpired) return new OidcError("id_token_expired", "ID token expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return new OidcError("id_token_issuer", "ID token issuer is not the provider");
    if (error.claim === "aud")
      return new OidcError("id_token_audience", "ID token audience is not this client");
    return new OidcError("id_token_invalid", `ID token claim "${error.claim}" is invalid`);
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new OidcError("id_token_signature", "ID token signature is not the provider's");
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new OidcError("provider_unavailable", "provider keys could not be fetched");
  }
  return new OidcError("id_token_invalid", "ID token is malformed");
}
