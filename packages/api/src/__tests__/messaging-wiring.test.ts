import { afterAll, beforeAll, expect, test } from "bun:test";
import type { AuthService } from "@parley/auth";
import { readCoreEnv } from "@parley/core";
import { schema } from "@parley/db";
import { createTestDatabase, TEST_NATS_URL, TEST_REDIS_URL, type TestDatabase } from "@parley/testkit";
import { sql } from "drizzle-orm";
import { type ApiRuntime, createApiServices } from "../create-services";
import { createCallerFactory } from "../index";
import { appRouter } from "../root";

let testDb: TestDatabase;
let runtime: ApiRuntime;

beforeAll(async () => {
  testDb = await createTestDatabase("msgwiring");
});
afterAll(async () => {
  await runtime?.close();
  await testDb?.drop();
});

test("createApiServices wires db (multi-statement off), the send pool, Redis, NATS and leased ids; a send goes through", async () => {
  const stubAuth = {} as AuthService;
  runtime = await createApiServices(
    readCoreEnv({ DATABASE_URL: testDb.url, NATS_URL: TEST_NATS_URL, REDIS_URL: TEST_REDIS_URL }),
    { createAuth: () => stubAuth },
  );
  const services = { ...runtime.services, isClientRevoked: async () => false };
  expect(services.auth).toBe(stubAuth);
  expect(services.sendPool).toBeDefined();
  // The general pool refuses multi-statement queries; only the send pool batches.
  await expect(services.db.execute(sql`SELECT 1; SELECT 2`)).rejects.toThrow();
  const [a, b, clientId] = [services.ids.nextId(), services.ids.nextId(), services.ids.nextId()];
  const now = new Date();
  await services.db.insert(schema.users).values([
    { id: a, handle: "wa", displayName: "A", createdAt: now },
    { id: b, handle: "wb", displayName: "B", createdAt: now },
  ]);
  const caller = createCallerFactory(appRouter)({
    services,
    req: { headers: new Headers(), ip: null },
    resHeaders: new Headers(),
    viewer: { userId: a, clientId, via: "bearer" },
  });
  const dialog = await caller.dialog.openDirect({ userId: b });
  const ack = await caller.message.send({
    dialogId: dialog.id,
    clientMsgId: "wired-1",
    clientSeq: 1,
    content: { kind: "text", text: "through the production wiring" },
  });
  expect(ack.seq).toBe(1);
  const page = await caller.dialog.sync({ dialogId: dialog.id, afterSeq: 0, limit: 10 });
  expect(page.messages.map((m) => m.id)).toEqual([ack.msgId]);
});

test("a bad environment names the variable", () => {
  expect(() => readCoreEnv({ DB_POOL_SIZE: "lots" })).toThrow(/DB_POOL_SIZE/);
});
