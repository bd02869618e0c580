import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { userClients, users } from "@parley/db/schema";
import { PRESENCE_SEEN_SUBJECT } from "@parley/protocol";
import { createTestDatabase, requireNats, TEST_NATS_URL, type TestDatabase } from "@parley/testkit";
import { and, eq } from "drizzle-orm";
import { startPresenceRecorder } from "../presence-recorder";

let testDb: TestDatabase;
let nc: NatsConnection;

beforeAll(async () => {
  await requireNats();
  testDb = await createTestDatabase("presrec");
  nc = await connect({ servers: TEST_NATS_URL });
});

afterAll(async () => {
  await nc?.close();
  await testDb?.drop();
});

test("coalesces seen records per client and moves last_seen_at forward only", async () => {
  const userId = String(BigInt(Date.now()) * 1000n + 7n);
  const clientId = String(BigInt(userId) + 1n);
  const old = new Date(Date.now() - 3_600_000);
  await testDb.db
    .insert(users)
    .values({ id: userId, handle: `p${userId.slice(-8)}`, displayName: "P", createdAt: old });
  await testDb.db
    .insert(userClients)
    .values({ userId, clientId, name: "c", kind: "token", createdAt: old, lastSeenAt: old });
  // Its own queue group: any other worker on this NATS (a dev stack, another suite) would otherwise
  // share the group and take some of the records.
  const recorder = startPresenceRecorder(
    { db: testDb.db, nc },
    { flushMs: 60_000, queue: `presence-test-${process.pid}` },
  );
  await nc.flush();
  const newest = Date.now() - 1_000;
  for (const t of [newest - 5_000, newest, newest - 10_000]) {
    nc.publish(PRESENCE_SEEN_SUBJECT, JSON.stringify({ u: userId, c: clientId, t, g: "gw-test" }));
  }
  nc.publish(PRESENCE_SEEN_SUBJECT, "garbage");
  await nc.flush();
  await Bun.sleep(100);
  expect(await recorder.flush()).toBe(1);
  const [row] = await testDb.db
    .select()
    .from(userClients)
    .where(and(eq(userClients.userId, userId), eq(userClients.clientId, clientId)));
  expect(row?.lastSeenAt.getTime()).toBe(newest);
  expect(row?.gateway).toBe("gw-test");
  await recorder.stop();
});
