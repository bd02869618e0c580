import type Redis from "ioredis";
import type { RateLimitConfig, TabRateLimitConfig } from "./config";
import { AuthError } from "./errors";
import { hashToken } from "./tokens";

/**
 * Counts sign-in attempts in Redis so every API process shares one budget. The attempt is reserved
 * atomically *before* the password is checked (INCR, then compare), so concurrent guesses from many
 * processes cannot slip past the limit; a successful sign-in gives its reservation back.
 */
const RESERVE = `
local h = redis.call('INCR', KEYS[1])
if h == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local i = 0
if KEYS[2] then
  i = redis.call('INCR', KEYS[2])
  if i == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
end
return {h, i, redis.call('PTTL', KEYS[1])}
`;

const RELEASE = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end
end
return 0
`;

export type SignInAttempt = { release: () => Promise<void> };

export function createSignInRateLimiter(redis: Redis, config: RateLimitConfig) {
  // Keys hold hashes, not handles or addresses: Redis dumps then reveal nothing about who tried.
  const keysFor = (handleNorm: string, ip: string | null) => {
    const keys = [`auth:signin:h:${hashToken(handleNorm)}`];
    if (ip) keys.push(`auth:signin:ip:${hashToken(ip)}`);
    return keys;
  };

  return {
    /** Reserves one attempt; throws TOO_MANY_REQUESTS once the handle or IP is over budget. */
    async reserve(handleNorm: string, ip: string | null): Promise<SignInAttempt> {
      const keys = keysFor(handleNorm, ip);
      const result = (await redis.eval(
        RESERVE,
        keys.length,
        ...keys,
        String(config.windowSeconds * 1000),
      )) as [number, number, number];
      const [perHandle, perIp, ttlMs] = result;
      if (perHandle > config.maxFailuresPerHandle || perIp > config.maxFailuresPerIp) {
        throw new AuthError("TOO_MANY_REQUESTS", "too many failed sign-ins; try again later", {
          retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
        });
      }
      return {
        release: async () => {
          await redis.eval(RELEASE, keys.length, ...keys);
        },
      };
    },
  };
}

const COUNT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

/** Tab clients opened per browser client, shared by every API process (Redis). */
export function createTabRateLimiter(redis: Redis, config: TabRateLimitConfig) {
  return {
    /** Counts one tab for this browser client; throws TOO_MANY_REQUESTS past the budget. */
    async take(browserClientId: string): Promise<void> {
      const [count, ttlMs] = (await redis.eval(
        COUNT,
        1,
        `auth:tabs:${browserClientId}`,
        String(config.windowSeconds * 1000),
      )) as [number, number];
      if (count > config.maxTabsPerBrowser) {
        throw new AuthError("TOO_MANY_REQUESTS", "too many tabs opened; try again later", {
          retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
        });
      }
    },
  };
}
