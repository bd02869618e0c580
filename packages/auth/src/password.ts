import { z } from "zod";

/**
 * Password rules in one place: 10–128 characters, not only whitespace. Length is what matters
 * (NIST 800-63B); the upper bound caps the hashing cost an attacker can make us pay.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export const ZPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `password must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((value) => value.trim().length > 0, "password must not be only whitespace");

/** OWASP's argon2id baseline (19 MiB, 2 passes): slow for an attacker, fine for one sign-in. */
const ARGON2_OPTIONS = { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    // A malformed stored hash must fail closed, never throw details to the caller.
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Computes the dummy hash ahead of the first sign-in (call at start-up). Made lazily instead, the
 * first unknown-handle sign-in of every process would pay a hash *and* a verification — twice the
 * time of a known handle, which tells an attacker the handle does not exist.
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash;
}

/**
 * Unknown handles still pay for one argon2 verification, so response time does not reveal whether
 * a handle exists.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, await prepareDummyHash());
}
