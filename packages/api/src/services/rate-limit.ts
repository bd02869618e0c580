import type { ApiServices } from "../context";
import { AppError } from "../errors";
import { messagingOptions } from "./options";

/**
 * A fixed-window budget per client for the polling endpoints (sync, history, changes), kept in
 * Redis so every API process shares it: an abusive poller is slowed down whichever process it hits.
 */
export async function enforceReadRateLimit(services: ApiServices, clientId: string): Promise<void> {
  const { max, windowMs } = messagingOptions(services).readRateLimit;
  const window = Math.floor(Date.now() / windowMs);
  const key = `rl:read:${clientId}:${window}`;
  let count: number;
  try {
    const results = await services.redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs * 2)
      .exec();
    count = Number(results?.[0]?.[1] ?? 0);
  } catch (error) {
    // Fail open: an outage of the limiter must not stop clients from catching up.
    console.warn("[rate-limit] Redis unavailable:", error instanceof Error ? error.message : error);
    return;
  }
  if (count > max) {
    throw new AppError("TOO_MANY_REQUESTS", "too many sync requests; slow down", {
      retryAfterMs: (window + 1) * windowMs - Date.now(),
    });
  }
}
