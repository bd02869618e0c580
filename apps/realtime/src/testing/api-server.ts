/**
 * The real API (appRouter + AuthService + the messaging services) as its own process, for the
 * realtime end-to-end tests and benches. Not production wiring: apps/web mounts the same router.
 * Env: DATABASE_URL, NATS_URL, REDIS_URL, AUTH_CONFIG_JSON (a full AuthConfig), PORT (0 = any);
 * optional BIG_GROUP_MIN_MEMBERS / BIG_GROUP_FANOUT_GRACE_MS (tests make small groups big);
 * DEFAULT_RATE_LIMITS=1 keeps the production read/send budgets (the noisy-neighbour bench).
 */
import { type ApiServices, appRouter, assembleApiServices, createContext } from "@parley/api";
import { type AuthConfig, createAuthService } from "@parley/auth";
import { createNatsPublisher } from "@parley/core";
import { relayOutbox } from "@parley/core/jobs";
import { createDb } from "@parley/db";
import { createLeasedIdGenerator } from "@parley/db/snowflake";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import Redis from "ioredis";

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`[api-server] missing environment variable ${name}`);
    process.exit(1);
  }
  return value;
};

const optionalInt = (name: string): number | undefined => {
  const value = process.env[name];
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    console.error(`[api-server] bad environment variable ${name}: ${value}`);
    process.exit(1);
  }
  return parsed;
};
const bigGroupMinMembers = optionalInt("BIG_GROUP_MIN_MEMBERS");
const bigGroupFanoutGraceMs = optionalInt("BIG_GROUP_FANOUT_GRACE_MS");
// Tests send and sync far faster than a person; a bench of abuse needs the real budgets.
const unlimited = process.env.DEFAULT_RATE_LIMITS !== "1";

const config = JSON.parse(required("AUTH_CONFIG_JSON")) as AuthConfig;
const handle = createDb(required("DATABASE_URL"), { connectionLimit: 20 });
const redis = new Redis(required("REDIS_URL"), { maxRetriesPerRequest: 2 });
const publisher = createNatsPublisher(required("NATS_URL"), "parley-api-test");
const ids = await createLeasedIdGenerator(handle.db);
const auth = createAuthService(config, { db: handle.db, redis, events: publisher.events, ids });
const services: ApiServices = assembleApiServices(
  { db: handle.db, redis, events: publisher.events, ids },
  auth,
  {
    messaging: {
      ...(unlimited
        ? {
            readRateLimit: { max: 1_000_000, windowMs: 10_000 },
            sendRateLimit: { max: 1_000_000, windowMs: 10_000 },
          }
        : {}),
      ...(bigGroupMinMembers !== undefined ? { bigGroupMinMembers } : {}),
      ...(bigGroupFanoutGraceMs !== undefined ? { bigGroupFanoutGraceMs } : {}),
    },
  },
);

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  idleTimeout: 60,
  fetch(req, srv) {
    const url = new URL(req.url);
    if (url.pathname === "/healthz") return new Response("ok");
    const ip = srv.requestIP(req)?.address ?? null;
    return fetchRequestHandler({
      endpoint: "/trpc",
      req,
      router: appRouter,
      createContext: ({ resHeaders }) => createContext(services, { headers: req.headers, ip }, resHeaders),
    });
  },
});

// The relay republishes events whose publish failed (NATS down): the production worker's job,
// run here so a NATS outage in a test loses nothing that the store has.
let relaying = false;
const relay = setInterval(async () => {
  if (relaying || !publisher.isConnected()) return;
  relaying = true;
  try {
    await relayOutbox(services, { olderThanMs: 500 });
  } catch {
    // Next tick retries.
  } finally {
    relaying = false;
  }
}, 1_000);

console.log(JSON.stringify({ event: "listening", port: server.port, pid: process.pid }));

process.on("SIGTERM", async () => {
  clearInterval(relay);
  server.stop(true);
  await publisher.close();
  await ids.close();
  redis.disconnect();
  await handle.close();
  process.exit(0);
});
