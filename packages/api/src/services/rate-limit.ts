import type { ApiServices } from "../context";
import { AppError } from "../errors";
import { messagingOptions, type RateLimit } from "./options";

type Bucket = "read" | "send";

const REFUSALS: Record<Bucket, string> = {
  read: "too many sync requests; slow down",
  send: "too many messages from this client; retry the same message later",
};

/**
 * A fixed-window budget per client, kept in Redis so every API process shares it: an abusive client
 * is slowed down whichever process it hits. `read` covers the polling endpoints (sync, history,
 * changes); `send` bounds how fast one client can push messages into its dialogs (each one is several
 * row writes and a push per member).
 */
async function enforceClientRateLimit(
  services: ApiServices,
  clientId: string,
  bucket: Bucket,
  { max, windowMs }: RateLimit,
): Promise<void> {
  const window = Math.floor(Date.now() / windowMs);
  const key = `rl:${bucket}:${clientId}:${window}`;
  let count: number;
  try {
    const results = await services.redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs * 2)
      .exec();
    count = Number(results?.[0]?.[1] ?? 0);
  } catch (error) {
    // Fail open: an outage of the limiter must not stop clients from catching up or sending.
    console.warn("[rate-limit] Redis unavailable:", error instanceof Error ? error.message : error);
    return;
  }
  if (count > max) {
    throw new AppError("TOO_MANY_REQUESTS", REFUSALS[bucket], {
      retryAfterMs: (window + 1) * windowMs - Date.now(),
      ...(bucket === "send" ? { status: "pending" } : {}),
    });
  }
}

export function enforceReadRateLimit(services: ApiServices, clientId: string): Promise<void> {
  return enforceClientRateLimit(services, clientId, "read", messagingOptions(services).readRateLimit);
}

export function enforceSendRateLimit(services: ApiServices, clientId: string): Promise<void> {
  return enforceClientRateLimit(services, clientId, "send", messagingOptions(services).sendRateLimit);
}
