import { hmac } from "@oslojs/crypto/hmac";
import { SHA256, sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/**
 * Opaque tokens (browser sessions, refresh tokens) are `<userId>.<secret>`: the user id routes the
 * lookup to the one shard that holds the hash, the secret carries 256 bits of entropy.
 */
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^([1-9]\d{0,19})\.([A-Za-z0-9_-]{43})$/;

export type ParsedToken = { userId: string; token: string };

export function generateSecret(bytes = SECRET_BYTES): string {
  // 256 random bits: guessing is hopeless, so a plain hash (not a slow KDF) is enough at rest.
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function generateOpaqueToken(userId: string): string {
  return `${userId}.${generateSecret()}`;
}

/** Rejects malformed input before it reaches the database. */
export function parseOpaqueToken(token: string): ParsedToken | null {
  const match = TOKEN_PATTERN.exec(token);
  const userId = match?.[1];
  if (!userId) return null;
  return { userId, token };
}

/** Only this hash is stored: a database leak yields nothing that can be presented. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Constant-time so comparing hashes leaks no prefix length through timing. */
export function hashesEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}

/**
 * The successor of a refresh token is derived, not random: HMAC(secret, previous). Every request that
 * presents the same previous token inside the grace window gets the same successor without the server
 * ever storing a token in clear.
 */
export function deriveSuccessorToken(secret: string, previous: ParsedToken): string {
  const mac = hmac(SHA256, new TextEncoder().encode(secret), new TextEncoder().encode(previous.token));
  return `${previous.userId}.${encodeBase64urlNoPadding(mac)}`;
}
