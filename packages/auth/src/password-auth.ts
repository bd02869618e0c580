import { schema } from "@parley/db";
import { ERROR_REASON } from "@parley/protocol";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { AuthConfig } from "./config";
import type { AuthDeps } from "./deps";
import { AuthError } from "./errors";
import { normaliseHandle, ZDisplayName, ZHandle } from "./handle";
import { burnPasswordCheck, hashPassword, prepareDummyHash, verifyPassword, ZPassword } from "./password";
import { createSignInRateLimiter } from "./rate-limit";
import { claimHandle, findUserIdByHandle, insertUser, releaseHandle } from "./users";

const { passwordCredentials } = schema;

export type SignUpInput = { handle: string; displayName: string; password: string };
export type SignInInput = { handle: string; password: string };

/** Domain validation (the router validates too; this keeps non-tRPC callers honest). */
function parseOrThrow<T>(
  schemaToUse: { safeParse: (value: unknown) => z.ZodSafeParseResult<T> },
  value: unknown,
): T {
  const result = schemaToUse.safeParse(value);
  if (!result.success) throw new AuthError("BAD_REQUEST", result.error.issues[0]?.message ?? "invalid input");
  return result.data;
}

/** Creates a user with a password. Handle first (global uniqueness), then the user's own shard. */
export async function signUpWithPassword(deps: AuthDeps, input: SignUpInput): Promise<string> {
  const handle = parseOrThrow(ZHandle, input.handle);
  const displayName = parseOrThrow(ZDisplayName, input.displayName);
  const password = parseOrThrow(ZPassword, input.password);
  const passwordHash = await hashPassword(password);
  const userId = await deps.ids.nextId();
  if (!(await claimHandle(deps.db, handle, userId))) {
    throw new AuthError("CONFLICT", "this handle is taken", { reason: ERROR_REASON.HANDLE_TAKEN });
  }
  try {
    await insertUser(deps.db, { id: userId, handle, displayName });
    await deps.db.insert(passwordCredentials).values({ userId, passwordHash, updatedAt: new Date() });
  } catch (error) {
    // No cross-shard transaction: give the handle back so a retry can claim it.
    await releaseHandle(deps.db, handle).catch(() => {});
    throw error;
  }
  return userId;
}

/**
 * Checks a handle and password. Every failure says the same thing and costs the same argon2 time,
 * so sign-in never reveals whether a handle exists. Attempts are rate-limited in Redis per handle and
 * per IP before any hashing happens.
 */
export function createPasswordSignIn(deps: AuthDeps, config: AuthConfig) {
  const limiter = createSignInRateLimiter(deps.redis, config.rateLimit);
  // Ready before the first sign-in, so no unknown-handle request ever pays for making it.
  prepareDummyHash().catch(() => {});
  return async (input: SignInInput, ip: string | null): Promise<string> => {
    const handleNorm = normaliseHandle(input.handle.trim()).slice(0, 256);
    const attempt = await limiter.reserve(handleNorm, ip);
    const userId = await findUserIdByHandle(deps.db, input.handle.trim());
    const rows = userId
      ? await deps.db
          .select({ hash: passwordCredentials.passwordHash })
          .from(passwordCredentials)
          .where(eq(passwordCredentials.userId, userId))
          .limit(1)
      : [];
    const hash = rows[0]?.hash;
    let ok = false;
    if (hash) ok = await verifyPassword(input.password, hash);
    else await burnPasswordCheck(input.password);
    if (!ok || !userId) {
      throw new AuthError("UNAUTHORIZED", "wrong handle or password", {
        reason: ERROR_REASON.WRONG_CREDENTIALS,
      });
    }
    // Successful sign-ins do not eat the failure budget.
    await attempt.release();
    return userId;
  };
}
