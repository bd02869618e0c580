import type Redis from "ioredis";
import type {
  NewClientRateLimitConfig,
  OidcStartRateLimitConfig,
  RateLimitConfig,
  SignUpRateLimitConfig,
  TabRateLimitConfig,
} from "./config";
import { AuthError } from "./errors";
import { releaseWindowHits, retryAfterSeconds, takeWindowBudgets, type WindowBudget } from "./fixed-window";
import { hashToken } from "./tokens";

/**
 * The UAA's budgets, all counted in Redis (fixed-window.ts) so every API process shares them. Keys
 * that would name a person or a network hold hashes, not handles or addresses: a Redis dump then
 * reveals nothing about who tried. Each hit is reserved before the work it guards.
 */
async function spend(
  redis: Redis,
  budgets: WindowBudget[],
  windowSeconds: number,
  refusal: string,
): Promise<void> {
  const verdict = await takeWindowBudgets(redis, budgets, windowSeconds * 1000);
  if (!verdict.allowed) {
    throw new AuthError("TOO_MANY_REQUESTS", refusal, {
      retryAfterSeconds: retryAfterSeconds(verdict.retryAfterMs),
    });
  }
}

export type SignInAttempt = { release: () => Promise<void> };

/** Failed sign-ins per handle and per IP; a successful sign-in gives its reservation back. */
export function createSignInRateLimiter(redis: Redis, config: RateLimitConfig) {
  return {
    /** Reserves one attempt; throws TOO_MANY_REQUESTS once the handle or IP is over budget. */
    async reserve(handleNorm: string, ip: string | null): Promise<SignInAttempt> {
      const budgets = [{ key: `auth:signin:h:${hashToken(handleNorm)}`, max: config.maxFailuresPerHandle }];
      if (ip) budgets.push({ key: `auth:signin:ip:${hashToken(ip)}`, max: config.maxFailuresPerIp });
      await spend(redis, budgets, config.windowSeconds, "too many failed sign-ins; try again later");
      const keys = budgets.map((budget) => budget.key);
      return { release: () => releaseWindowHits(redis, keys, config.windowSeconds * 1000) };
    },
  };
}

/**
 * One budget per key, for limiters that count a single thing: `keyOf` names the key (hashing anything
 * personal), or returns null when there is nothing to count against.
 */
function createSingleBudgetLimiter<T>(
  redis: Redis,
  keyOf: (subject: T) => string | null,
  budget: { max: number; windowSeconds: number },
  refusal: string,
) {
  return {
    /** Counts one for this subject; throws TOO_MANY_REQUESTS past the budget. */
    async take(subject: T): Promise<void> {
      const key = keyOf(subject);
      if (key) await spend(redis, [{ key, max: budget.max }], budget.windowSeconds, refusal);
    },
  };
}

/** Tab clients opened per browser client. */
export function createTabRateLimiter(redis: Redis, config: TabRateLimitConfig) {
  return createSingleBudgetLimiter<string>(
    redis,
    (browserClientId) => `auth:tabs:${browserClientId}`,
    { max: config.maxTabsPerBrowser, windowSeconds: config.windowSeconds },
    "too many tabs opened; try again later",
  );
}

/**
 * Accounts created per client IP: without it one address can mint users (and their handles, which
 * are global and never freed) as fast as argon2 allows. Every attempt counts, a refused or taken
 * handle included: each one also answers "is this handle taken?".
 */
export function createSignUpRateLimiter(redis: Redis, config: SignUpRateLimitConfig) {
  // A request with no known IP is not limited here (see docs/auth.md).
  return createSingleBudgetLimiter<string | null>(
    redis,
    (ip) => (ip ? `auth:signup:ip:${hashToken(ip)}` : null),
    { max: config.maxPerIp, windowSeconds: config.windowSeconds },
    "too many accounts created from this network; try again later",
  );
}

/** OIDC flows started per client IP (each one is a Redis entry living ten minutes). */
export function createOidcStartRateLimiter(redis: Redis, config: OidcStartRateLimitConfig) {
  // A request with no known IP is not limited here (see docs/auth.md).
  return createSingleBudgetLimiter<string | null>(
    redis,
    (ip) => (ip ? `auth:oidcstart:ip:${hashToken(ip)}` : null),
    { max: config.maxPerIp, windowSeconds: config.windowSeconds },
    "too many sign-ins started from this network; try again later",
  );
}

/**
 * Clients (user_clients rows) created per user by sign-ins: successful sign-ins are not otherwise
 * limited, and every one adds a row, sessions and a devices-list entry that live for weeks.
 */
export function createNewClientRateLimiter(redis: Redis, config: NewClientRateLimitConfig) {
  return createSingleBudgetLimiter<string>(
    redis,
    (userId) => `auth:clients:${userId}`,
    { max: config.maxPerUser, windowSeconds: config.windowSeconds },
    "too many sign-ins for this account; try again later",
  );
}
