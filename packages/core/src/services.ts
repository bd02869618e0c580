import type { AuthService } from "@parley/auth";
import type { Db, SendPool } from "@parley/db";
import type Redis from "ioredis";
import type { MessagingOptions } from "./options";

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

/** What every process holds before the UAA: the database, Redis, the publisher and ids. */
export type ServiceBase = {
  /** The general pool (Drizzle; multi-statement queries off). */
  db: Db;
  redis: Redis;
  events: EventPublisher;
  ids: IdGenerator;
};

/**
 * Everything a domain service may use. Built once per process and shared by every call; tests build
 * it against their own database, NATS and Redis.
 */
export type CoreServices = ServiceBase & {
  /**
   * The send path's own mysql2 pool with multi-statement queries (Confirm in two round trips), used
   * by the send path only. Absent on other drivers: the send path then runs one statement per round trip.
   */
  sendPool?: SendPool;
  /** The UAA (@parley/auth): tokens, tickets and public profiles. */
  auth: AuthService;
  /** Messaging knobs (rate limits, waits) and test-only failure injection; defaults when absent. */
  messaging?: MessagingOptions;
};
