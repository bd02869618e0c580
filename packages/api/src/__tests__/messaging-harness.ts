import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { AuthService } from "@parley/auth";
import {
  createCoreServices,
  createNatsPublisher,
  type MessagingOptions,
  type NatsPublisher,
} from "@parley/core";
import type { Db } from "@parley/db";
import { schema } from "@parley/db";
import { createLeasedIdGenerator, type LeasedIdGenerator } from "@parley/db/snowflake";
import { type TUserEvent, ZUserEvent } from "@parley/protocol";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  type TestDatabase,
} from "@parley/testkit";
import { fileFixture } from "@parley/testkit/file-fixture";
import { waitUntil } from "@parley/testkit/wait";
import { sql } from "drizzle-orm";
import Redis from "ioredis";
import type { ApiServices, EventPublisher, Viewer } from "../context";
import { createCallerFactory } from "../index";
import { appRouter } from "../root";

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

/** Messaging tests never sign in through the UAA: callers carry a known viewer. Any use fails loudly. */
const authNotWired = new Proxy({} as AuthService, {
  get(_target, property) {
    throw new Error(`auth.${String(property)} is not wired in messaging tests`);
  },
});

/** Every event published on chat.user.*, per user, as a subscriber (a gateway) sees it. */
export class EventLog {
  readonly byUser = new Map<string, TUserEvent[]>();

  record(subject: string, data: string): void {
    const userId = subject.slice("chat.user.".length);
    const event = ZUserEvent.parse(JSON.parse(data));
    const list = this.byUser.get(userId) ?? [];
    list.push(event);
    this.byUser.set(userId, list);
  }

  of(userId: string): TUserEvent[] {
    return this.byUser.get(userId) ?? [];
  }

  messagesOf(userId: string, dialogId?: string) {
    return this.of(userId).flatMap((event) =>
      event.type === "message" && (!dialogId || event.dialogId === dialogId) ? [event] : [],
    );
  }

  async waitFor(check: () => boolean, timeoutMs = 5_000, what = "events"): Promise<void> {
    await waitUntil(check, what, { timeoutMs, intervalMs: 10 });
  }
}

export type TestUser = { userId: string; clients: { clientId: string; caller: Caller }[] };

export type MessagingHarness = {
  testDb: TestDatabase;
  db: Db;
  redis: Redis;
  log: EventLog;
  /** A services instance = one API process: its own pool, id lease, NATS connection and caches. */
  createServices: (options?: {
    messaging?: MessagingOptions;
    events?: EventPublisher;
    natsUrl?: string;
  }) => Promise<ApiServices>;
  /** The NATS publisher behind a services instance (to cut its connection in tests). */
  publisherOf: (services: ApiServices) => NatsPublisher | undefined;
  services: ApiServices;
  createUser: (clientCount?: number, services?: ApiServices) => Promise<TestUser>;
  callerFor: (services: ApiServices, userId: string, clientId: string) => Caller;
  close: () => Promise<void>;
};

/**
 * Production sends through the send path's own multi-statement pool (two round trips per send);
 * MESSAGING_SEQUENTIAL=1 runs every messaging test on the one-statement-per-round-trip path that
 * other drivers use (no send pool).
 */
const BATCHED = process.env.MESSAGING_SEQUENTIAL !== "1";

/** High enough that the polling tests never hit it; the rate-limit test sets its own. */
export const TEST_MESSAGING: MessagingOptions = {
  readRateLimit: { max: 1_000_000, windowMs: 10_000 },
  sendRateLimit: { max: 1_000_000, windowMs: 10_000 },
  // Tests that count pushes see each message once; messaging-tail-beacon.test.ts turns it on.
  tailQuietMs: 0,
};

export async function createMessagingHarness(label: string): Promise<MessagingHarness> {
  await Promise.all([requireNats(), requireRedis()]);
  const testDb = await createTestDatabase(label);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const log = new EventLog();
  const subscriber: NatsConnection = await connect({ servers: TEST_NATS_URL, name: `test-${label}` });
  subscriber.subscribe("chat.user.>", {
    callback: (error, msg) => {
      if (!error) log.record(msg.subject, msg.string());
    },
  });
  await subscriber.flush();

  const generators: LeasedIdGenerator[] = [];
  const publishers = new Map<ApiServices, NatsPublisher>();
  const closers: (() => Promise<void>)[] = [];

  async function createServices(
    options: { messaging?: MessagingOptions; events?: EventPublisher; natsUrl?: string } = {},
  ): Promise<ApiServices> {
    const handle = testDb.connect();
    const sendPool = BATCHED ? testDb.connectSendPool() : undefined;
    const ids = await createLeasedIdGenerator(handle.db, {
      holder: `test-${randomBytes(4).toString("hex")}`,
    });
    generators.push(ids);
    let publisher: NatsPublisher | undefined;
    if (!options.events) {
      publisher = createNatsPublisher(options.natsUrl ?? TEST_NATS_URL, `test-api-${label}`);
      closers.push(() => publisher?.close() ?? Promise.resolve());
      if (!options.natsUrl) {
        await waitUntil(() => publisher?.isConnected() ?? false, "the API's NATS connection", {
          timeoutMs: 5_000,
          intervalMs: 5,
        });
      }
    }
    const core = createCoreServices(
      { db: handle.db, redis, events: options.events ?? (publisher as NatsPublisher).events, ids },
      authNotWired,
      { ...(sendPool ? { sendPool } : {}), messaging: options.messaging ?? TEST_MESSAGING },
    );
    const services: ApiServices = {
      ...core,
      resolveViewer: async () => null,
      isClientRevoked: async () => false,
    };
    if (publisher) publishers.set(services, publisher);
    return services;
  }

  const services = await createServices();

  function callerFor(target: ApiServices, userId: string, clientId: string): Caller {
    const viewer: Viewer = { userId, clientId, via: "bearer" };
    return createCaller({
      services: target,
      req: { headers: new Headers(), ip: "127.0.0.1" },
      resHeaders: new Headers(),
      viewer,
    });
  }

  async function createUser(clientCount = 1, target = services): Promise<TestUser> {
    const userId = target.ids.nextId();
    const now = new Date();
    await target.db.insert(schema.users).values({
      id: userId,
      handle: `u${userId.slice(-10)}`,
      displayName: `User ${userId.slice(-4)}`,
      createdAt: now,
    });
    const clients: TestUser["clients"] = [];
    for (let index = 0; index < clientCount; index++) {
      const clientId = target.ids.nextId();
      await target.db.insert(schema.userClients).values({
        userId,
        clientId,
        name: `client ${index}`,
        kind: "token",
        createdAt: now,
        lastSeenAt: now,
      });
      clients.push({ clientId, caller: callerFor(target, userId, clientId) });
    }
    return { userId, clients };
  }

  return {
    testDb,
    db: testDb.db,
    redis,
    log,
    createServices,
    publisherOf: (target) => publishers.get(target),
    services,
    createUser,
    callerFor,
    close: async () => {
      await Promise.allSettled(closers.map((close) => close()));
      await Promise.allSettled(generators.map((generator) => generator.close()));
      await subscriber.close();
      redis.disconnect();
      await testDb.drop();
    },
  };
}

/**
 * The shared setup of a messaging test file, in one call (top-level await): a harness for the file,
 * closed after its last test, and one user per entry of `clientCounts` with that many clients.
 */
export async function messagingFixture<const Counts extends readonly number[]>(
  label: string,
  clientCounts: Counts,
): Promise<{ h: MessagingHarness; users: { -readonly [K in keyof Counts]: TestUser } }> {
  const h = await fileFixture(() => createMessagingHarness(label));
  const users = await Promise.all(clientCounts.map((count) => h.createUser(count)));
  return { h, users: users as { -readonly [K in keyof Counts]: TestUser } };
}

/** Rows a dialog has in one of its dialog-keyed tables (single shard: constrained by dialog_id). */
export async function countDialogRows(
  db: Db,
  table: "messages" | "dialog_messages" | "outbox",
  dialogId: string,
): Promise<number> {
  const [rows] = (await db.execute(
    sql`SELECT COUNT(*) AS n FROM ${sql.raw(table)} WHERE dialog_id = ${dialogId}`,
  )) as unknown as [{ n: string | number }[]];
  return Number(rows[0]?.n ?? 0);
}

/** The first (only) client of a user. */
export function firstClient(user: TestUser): { clientId: string; caller: Caller } {
  const client = user.clients[0];
  if (!client) throw new Error("user has no client");
  return client;
}

export const text = (value: string) => ({ kind: "text" as const, text: value });

/** A deterministic PRNG (mulberry32) so a failing randomized run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
