import type { CoreServices } from "@parley/core";
import { toTRPCError } from "./trpc-errors";

export type { EventPublisher, IdGenerator } from "@parley/core";

/** Who is calling: resolved from a session cookie or a bearer access token. */
export type Viewer = { userId: string; clientId: string; via: "cookie" | "bearer" };

/**
 * Everything a procedure may use: the domain services' dependencies (@parley/core) and the request
 * glue the UAA provides. Built once per process (see createApiServices) and shared by every request;
 * tests build it against their own database, NATS and Redis.
 */
export type ApiServices = CoreServices & {
  /**
   * Resolves the viewer from request headers (cookie / bearer); may append Set-Cookie (sliding session)
   * to resHeaders. Supplied by @parley/auth. Throws on a bad or expired bearer token.
   */
  resolveViewer: (req: RequestInfo, resHeaders?: Headers) => Promise<Viewer | null>;
  /** True when the client was revoked (cached briefly; ≤ 5 s stale). */
  isClientRevoked: (viewer: Viewer) => Promise<boolean>;
};

export type RequestInfo = { headers: Headers; ip: string | null };

export type Context = {
  services: ApiServices;
  req: RequestInfo;
  /** Response headers procedures may set (Set-Cookie). */
  resHeaders: Headers;
  viewer: Viewer | null;
};

export async function createContext(
  services: ApiServices,
  req: RequestInfo,
  resHeaders: Headers,
): Promise<Context> {
  return { services, req, resHeaders, viewer: await resolveViewer(services, req, resHeaders) };
}

/**
 * A rejected bearer token is a 401 with its reason ("access token expired: refresh it"); a cookie sent
 * from another site is a 403 (CSRF). This runs before any procedure middleware, so the UAA's error is
 * mapped here (by the same function as everywhere else).
 */
async function resolveViewer(services: ApiServices, req: RequestInfo, resHeaders: Headers) {
  try {
    return await services.resolveViewer(req, resHeaders);
  } catch (error) {
    throw toTRPCError(error) ?? error;
  }
}
