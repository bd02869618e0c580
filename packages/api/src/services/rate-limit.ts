import { takeWindowBudgets, type WindowBudget } from "@parley/auth";
import type { ApiServices } from "../context";
import { AppError } from "../errors";
import { BudgetLeases } from "./budget-lease";
import { messagingOptions, type RateLimit } from "./options";

type Bucket = "read" | "send" | "lookup";

const REFUSALS: Record<Bucket, string> = {
  read: "too many sync requests; slow down",
  send: "too many messages from this client; retry the same message later",
  lookup: "too many handle lookups; wait a minute and try again",
};

/**
 * Fixed-window budgets kept in Redis (the UAA's counter, @parley/auth fixed-window) so every API
 * process shares them: an abusive client is slowed down whichever process it hits. `read` covers the
 * polling endpoints (sync, history, changes); `send` bounds how fast one client can push messages into
 * its dialogs (each one is several row writes and a push per member); `lookup` bounds handle
 * lookups (user.byHandle), which would otherwise enumerate every handle.
 */
async function enforceRateLimit(
  services: ApiServices,
  bucket: Bucket,
  budgets: WindowBudget[],
  windowMs: number,
  cost = 1,
  leased = false,
): Promise<void> {
  let verdict: Awaited<ReturnType<typeof takeWindowBudgets>>;
  try {
    const [budget] = budgets;
    verdict =
      leased && budget && budgets.length === 1 && cost === 1
        ? await leasesOf(services).spend(budget.key, budget.max, windowMs, (hits) =>
            takeWindowBudgets(services.redis, budgets, windowMs, hits),
          )
        : await takeWindowBudgets(services.redis, budgets, windowMs, cost);
  } catch (error) {
    // Fail open: an outage of the limiter must not stop clients from catching up or sending.
    console.warn("[rate-limit] Redis unavailable:", error instanceof Error ? error.message : error);
    return;
  }
  if (!verdict.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", REFUSALS[bucket], {
      retryAfterMs: verdict.retryAfterMs,
      ...(bucket === "send" ? { status: "pending" } : {}),
    });
  }
}

function enforceClientRateLimit(
  services: ApiServices,
  clientId: string,
  bucket: "read" | "send",
  { max, windowMs }: RateLimit,
): Promise<void> {
  // The hot budgets (every send, every sync) are spent from per-process leases (budget-lease.ts).
  return enforceRateLimit(services, bucket, [{ key: `rl:${bucket}:${clientId}`, max }], windowMs, 1, true);
}

const leases = new WeakMap<ApiServices, BudgetLeases>();
function leasesOf(services: ApiServices): BudgetLeases {
  let found = leases.get(services);
  if (!found) {
    found = new BudgetLeases();
    leases.set(services, found);
  }
  return found;
}

export function enforceReadRateLimit(services: ApiServices, clientId: string): Promise<void> {
  return enforceClientRateLimit(services, clientId, "read", messagingOptions(services).readRateLimit);
}

export function enforceSendRateLimit(services: ApiServices, clientId: string): Promise<void> {
  return enforceClientRateLimit(services, clientId, "send", messagingOptions(services).sendRateLimit);
}

/**
 * Handle lookups per client and per user (a user's many clients share the second budget, so signing
 * in again does not buy a fresh allowance). Keys name ids, never the handles looked up.
 */
export function enforceLookupRateLimit(
  services: ApiServices,
  viewer: { userId: string; clientId: string },
): Promise<void> {
  const { perClientMax, perUserMax, windowMs } = messagingOptions(services).lookupRateLimit;
  return enforceRateLimit(
    services,
    "lookup",
    [
      { key: `rl:lookup:c:${viewer.clientId}`, max: perClientMax },
      { key: `rl:lookup:u:${viewer.userId}`, max: perUserMax },
    ],
    windowMs,
  );
}
