import { type AuthService, createAuthService, readAuthEnv } from "@parley/auth";
import { createDb, createSendPool } from "@parley/db";
import { createLeasedIdGenerator } from "@parley/db/snowflake";
import Redis from "ioredis";
import { createCoreServices } from "./create-core-services";
import { type CoreEnv, readCoreEnv } from "./env";
import { flushOutboxDeletes } from "./message/send/outbox-cleaner";
import { createNatsPublisher } from "./notify/nats-publisher";
import { DEFAULT_TYPING_RATE_LIMIT, type MessagingOptions } from "./options";
import type { CoreServices, ServiceBase } from "./services";

export type CoreRuntime = { services: CoreServices; close: () => Promise<void> };

export type CreateCoreRuntimeOptions = {
  /**
   * Builds the UAA from the pieces the process already holds. Defaults to @parley/auth's
   * createAuthService with its own environment (readAuthEnv); tests and hosts may pass their own.
   */
  createAuth?: (deps: ServiceBase) => AuthService;
  /** The environment source (defaults to process.env) for the UAA. */
  source?: Record<string, string | undefined>;
};

/**
 * Production wiring, once per process: MariaDB/Vitess pool, Redis, a NATS publisher that never
 * blocks a send (while NATS is down the outbox keeps the events and the relay delivers them), leased
 * snowflake ids, and the UAA.
 */
export async function createCoreRuntime(
  env: CoreEnv = readCoreEnv(),
  options: CreateCoreRuntimeOptions = {},
): Promise<CoreRuntime> {
  // The general pool keeps multi-statement queries off; only the send path's own pool (fixed SQL
  // texts, values escaped by the driver) batches statements: a send is two round trips.
  const handle = createDb(env.DATABASE_URL, { connectionLimit: env.DB_POOL_SIZE });
  const sendPool =
    handle.driver === "mysql2"
      ? createSendPool(env.DATABASE_URL, { connectionLimit: env.DB_SEND_POOL_SIZE ?? env.DB_POOL_SIZE })
      : undefined;
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const nats = createNatsPublisher(env.NATS_URL, "parley-api");
  const ids = await createLeasedIdGenerator(handle.db);
  const base: ServiceBase = { db: handle.db, redis, events: nats.events, ids };
  const createAuth =
    options.createAuth ?? ((deps) => createAuthService(readAuthEnv(options.source ?? process.env), deps));
  const services = createCoreServices(base, createAuth(base), {
    ...(sendPool ? { sendPool } : {}),
    messaging: messagingOptionsFromEnv(env),
  });
  return {
    services,
    close: async () => {
      // Published rows whose batched delete is still waiting: delete them now, not via the relay.
      await flushOutboxDeletes(services);
      await ids.close();
      await nats.close();
      redis.disconnect();
      await sendPool?.close();
      await handle.close();
    },
  };
}

function messagingOptionsFromEnv(env: CoreEnv): MessagingOptions {
  return {
    readRateLimit: {
      max: env.READ_RATE_LIMIT_MAX,
      perUserMax: env.READ_RATE_LIMIT_USER_MAX,
      windowMs: env.READ_RATE_LIMIT_WINDOW_MS,
    },
    sendRateLimit: {
      max: env.SEND_RATE_LIMIT_MAX,
      perUserMax: env.SEND_RATE_LIMIT_USER_MAX,
      windowMs: env.SEND_RATE_LIMIT_WINDOW_MS,
    },
    clientSeqWaitMs: env.CLIENT_SEQ_WAIT_MS,
    lookupRateLimit: {
      perClientMax: env.LOOKUP_RATE_LIMIT_MAX,
      perUserMax: env.LOOKUP_RATE_LIMIT_USER_MAX,
      windowMs: env.LOOKUP_RATE_LIMIT_WINDOW_MS,
    },
    profileRateLimit: { max: env.PROFILE_RATE_LIMIT_MAX, windowMs: env.PROFILE_RATE_LIMIT_WINDOW_MS },
    typingRateLimit: {
      max: env.TYPING_RATE_LIMIT_MAX,
      perUserMax: env.TYPING_RATE_LIMIT_USER_MAX,
      windowMs: DEFAULT_TYPING_RATE_LIMIT.windowMs,
    },
    groupCreateRateLimit: {
      max: env.GROUP_CREATE_RATE_LIMIT_MAX,
      windowMs: env.GROUP_CREATE_RATE_LIMIT_WINDOW_MS,
    },
    memberAddRateLimit: {
      max: env.MEMBER_ADD_RATE_LIMIT_MAX,
      windowMs: env.MEMBER_ADD_RATE_LIMIT_WINDOW_MS,
    },
    bigGroupMinMembers: env.BIG_GROUP_MIN_MEMBERS,
    bigGroupFanoutGraceMs: env.BIG_GROUP_FANOUT_GRACE_MS,
  };
}
