import type { ApiServices } from "@parley/api";
import { createApiServices } from "@parley/api";

/**
 * One ApiServices (DB pool, Redis, NATS, id generator lease) per server process. Kept on
 * globalThis because `next dev` re-evaluates modules on every edit, and each evaluation would
 * otherwise open another pool and NATS connection.
 */
const globalForServices = globalThis as typeof globalThis & {
  parleyServices?: Promise<ApiServices>;
};

export function getApiServices(): Promise<ApiServices> {
  const existing = globalForServices.parleyServices;
  if (existing) return existing;
  const created = Promise.resolve(createApiServices(process.env));
  // A failed start (DB down) must not stick: the next request tries again.
  created.catch(() => {
    globalForServices.parleyServices = undefined;
  });
  globalForServices.parleyServices = created;
  return created;
}
