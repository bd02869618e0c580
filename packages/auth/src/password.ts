import { isWellFormedText, WELL_FORMED_TEXT_MESSAGE } from "@parley/protocol";
import { z } from "zod";
import { AuthError } from "./errors";

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
  .refine((value) => value.trim().length > 0, "password must not be only whitespace")
  // Hashed as UTF-8, a lone surrogate would become U+FFFD: two different passwords, one hash.
  .refine(isWellFormedText, `password: ${WELL_FORMED_TEXT_MESSAGE}`);

/** OWASP's argon2id baseline (19 MiB, 2 passes): slow for an attacker, fine for one sign-in. */
const ARGON2_OPTIONS = { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 } as const;

/**
 * Every argon2 operation holds 19 MiB for tens of milliseconds, and sign-up / sign-in are reachable
 * without an account. Unbounded, a burst of requests (many handles, or IPs the per-IP limit cannot
 * tell apart) runs thousands at once and exhausts memory and the thread pool for everyone. So at
 * most ARGON2_MAX_CONCURRENT run per process, at most ARGON2_MAX_QUEUED wait, and the rest are
 * refused at once with TOO_MANY_REQUESTS (retry shortly) instead of piling up.
 */
export const ARGON2_MAX_CONCURRENT = Math.max(2, Math.min(8, navigator.hardwareConcurrency || 4));
export const ARGON2_MAX_QUEUED = 128;

let running = 0;
const waiting: (() => void)[] = [];

async function withArgon2Slot<T>(run: () => Promise<T>): Promise<T> {
  if (running < ARGON2_MAX_CONCURRENT) {
    running++;
  } else {
    if (waiting.length >= ARGON2_MAX_QUEUED) {
      throw new AuthError("TOO_MANY_REQUESTS", "the server is busy signing people in; try again shortly", {
        retryAfterSeconds: 1,
      });
    }
    // The releasing operation hands its slot over: `running` stays the same.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  try {
    return await run();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return withArgon2Slot(() => Bun.password.hash(password, ARGON2_OPTIONS));
}

/** Throws TOO_MANY_REQUESTS only when the process is saturated; a bad hash is simply `false`. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return withArgon2Slot(async () => {
    try {
      return await Bun.password.verify(password, hash);
    } catch {
      // A malformed stored hash must fail closed, never throw details to the caller.
      return false;
    }
  });
}

let dummyHash: Promise<string> | null = null;

/**
 * Computes the dummy hash ahead of the first sign-in (call at start-up). Made lazily instead, the
 * first unknown-handle sign-in of every process would pay a hash *and* a verification — twice the
 * time of a known handle, which tells an attacker the handle does not exist.
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID()).catch((error: unknown) => {
    dummyHash = null; // refused while saturated: the next sign-in tries again, never a cached failure
    throw error;
  });
  return dummyHash;
}

/**
 * Unknown handles still pay for one argon2 verification, so response time does not reveal whether
 * a handle exists.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, await prepareDummyHash());
}
