import { createHash } from "node:crypto";
import type Redis from "ioredis";

/**
 * Fixed-window counters in Redis: the one counter behind every rate limit (sign-in, sign-up, new
 * clients, tabs, and the API's per-client budgets), so all API processes share each budget.
 *
 * One script counts a hit against every key at once. The hit is *reserved* before the caller does the
 * work (INCR, then compare), so concurrent requests in many processes cannot slip past a limit
 * between a read and a write; a refused hit still counts, so hammering a closed window keeps it
 * closed. A key's window starts at its first hit and ends when the key expires. A key found without
 * an expiry (a crash cannot cause one, the script is atomic, but a stray write could) gets one, so
 * no counter can block forever.
 */
const HIT = `
local counts = {}
local cost = tonumber(ARGV[2] or '1')
for i, key in ipairs(KEYS) do
  local count = redis.call('INCRBY', key, cost)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  counts[i] = {count, ttl}
end
return counts
`;

/** Gives hits back (a successful sign-in returns its reservation); never below zero, never revives a key. */
const RELEASE = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
`;

/**
 * The Redis key of a budget's counter. The window length is part of it: a budget whose window
 * changes (a new setting, another test's services) starts afresh instead of inheriting a counter, and
 * the expiry, of another length.
 */
export function windowKey(key: string, windowMs: number): string {
  return `${key}:${windowMs}`;
}

/** One budget: at most `max` hits on `key` per window. */
export type WindowBudget = { key: string; max: number };

export type WindowVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts `cost` hits (one by default; a request for many items may count one per item) against each
 * budget (all sharing one window length) and says whether every one of them still had room. When
 * not, `retryAfterMs` is how long until the last exhausted window resets.
 */
export async function takeWindowBudgets(
  redis: Redis,
  budgets: WindowBudget[],
  windowMs: number,
  cost = 1,
): Promise<WindowVerdict> {
  const keys = budgets.map((budget) => windowKey(budget.key, windowMs));
  const hits = String(Math.max(1, Math.floor(cost)));
  const counts = (await runScript(redis, HIT, keys, [String(windowMs), hits])) as [number, number][];
  let retryAfterMs = 0;
  budgets.forEach((budget, index) => {
    const [count = 0, ttlMs = windowMs] = counts[index] ?? [];
    if (count > budget.max) retryAfterMs = Math.max(retryAfterMs, ttlMs, 1);
  });
  return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
}

export async function releaseWindowHits(redis: Redis, keys: string[], windowMs: number): Promise<void> {
  const counters = keys.map((key) => windowKey(key, windowMs));
  await runScript(redis, RELEASE, counters, []);
}

const shas = new Map<string, string>();

/**
 * EVALSHA, falling back to EVAL once per Redis that has not cached the script yet (NOSCRIPT): every
 * send and sync passes a limiter, so the script text is not shipped and re-hashed on each call.
 */
async function runScript(redis: Redis, script: string, keys: string[], args: string[]): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

/** Whole seconds for a `retryAfterSeconds` detail: at least 1, so a client never retries at once. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
