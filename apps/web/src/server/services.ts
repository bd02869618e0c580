import { type ApiServices, createApiServices } from "@parley/api";

/**
 * One ApiServices (DB pool, Redis, NATS, leased id generator, UAA) per server process. Kept on
 * globalThis because `next dev` re-evaluates modules on edits, and each evaluation would otherwise
 * open another pool, NATS connection and worker-id lease.
 */
const globalForServices = globalThis as typeof globalThis & {
  parleyServices?: Promise<ApiServices>;
};

export function getApiServices(): Promise<ApiServices> {
  const existing = globalForServices.parleyServices;
  if (existing) return existing;
  const created = createApiServices().then((runtime) => runtime.services);
  // A failed start (DB down) must not stick: the next request tries again.
  created.catch((error: unknown) => {
    console.error("[web] API services failed to start:", error instanceof Error ? error.message : error);
    globalForServices.parleyServices = undefined;
  });
  globalForServices.parleyServices = created;
  return created;
}
