import type { AuthService } from "@parley/auth";
import type { Db, SendPool } from "@parley/db";
import type Redis from "ioredis";
import type { MessagingOptions } from "./services/options";
import { toTRPCError } from "./trpc-errors";

/** Who is calling: resolved from a session cookie or a bearer access token. */
export type Viewer = { userId: string; clientId: string; via: "cookie" | "bearer" };

/**
 * Publishes to NATS. Implementations: the real NATS connection (and a recorder in unit helpers).
 * `publish` throws when it cannot hand the event to NATS (e.g. NATS is down): the send path then
 * keeps its outbox row and the relay delivers later.
 */
export type EventPublisher = {
  publish: (subject: string, payload: unknown) => void;
  /** Optional: the same for an event already serialised as JSON (one serialisation per event, not per member). */
  publishJson?: (subject: string, json: string) => void;
  /**
   * Resolves once NATS holds everything published before the call (a round trip to the server);
   * rejects when it cannot say so. `publish` returning only means the client buffered it: an outbox
   * row is forgotten after this, never before.
   */
  flush?: () => Promise<void>;
};

export type IdGenerator = { nextId: () => string };

/**
 * Everything a procedure may use. Built once per process (see createApiServices) and shared by
 * every request; tests build it against their own database, NATS and Redis.
 */
export type ApiServices = {
  /** The general pool (Drizzle; multi-statement queries off). */
  db: Db;
  /**
   * The send path's own mysql2 pool with multi-statement queries (Confirm in two round trips), used
   * by message.send only. Absent on other drivers: the send path then runs one statement per round trip.
   */
  sendPool?: SendPool;
  redis: Redis;
  events: EventPublisher;
  ids: IdGenerator;
  /** The UAA (@parley/auth): sign-in, sessions, tokens, clients, OIDC handlers. */
  auth: AuthService;
  /**
   * Resolves the viewer from request headers (cookie / bearer); may append Set-Cookie (sliding session)
   * to resHeaders. Supplied by @parley/auth. Throws on a bad or expired bearer token.
   */
  resolveViewer: (req: RequestInfo, resHeaders?: Headers) => Promise<Viewer | null>;
  /** True when the client was revoked (cached briefly; ≤ 5 s stale). */
  isClientRevoked: (viewer: Viewer) => Promise<boolean>;
  /** Messaging knobs (rate limits, waits) and test-only failure injection; defaults when absent. */
  messaging?: MessagingOptions;
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
