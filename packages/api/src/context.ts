import type { Db } from "@parley/db";
import type Redis from "ioredis";

/** Who is calling: resolved from a session cookie or a bearer access token. */
export type Viewer = { userId: string; clientId: string; via: "cookie" | "bearer" };

/** Publishes to NATS. Implementations: the real NATS connection (and a recorder in unit helpers). */
export type EventPublisher = {
  publish: (subject: string, payload: unknown) => void;
};

export type IdGenerator = { nextId: () => string };

/**
 * Everything a procedure may use. Built once per process (see createApiServices) and shared by
 * every request; tests build it against their own database, NATS and Redis.
 */
export type ApiServices = {
  db: Db;
  redis: Redis;
  events: EventPublisher;
  ids: IdGenerator;
  /** Resolves the viewer from request headers (cookie / bearer). Supplied by @parley/auth. */
  resolveViewer: (req: RequestInfo) => Promise<Viewer | null>;
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
  return { services, req, resHeaders, viewer: await services.resolveViewer(req) };
}
