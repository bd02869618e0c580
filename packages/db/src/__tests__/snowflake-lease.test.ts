import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { leases } from "../schema/lease";
import {
  createLeasedIdGenerator,
  type LeasedIdGenerator,
  NoFreeWorkerIdError,
  parseSnowflake,
  WorkerIdLeaseError,
} from "../snowflake";
import { createTestDatabase, type TestDatabase } from "../testing";

let testDb: TestDatabase;
const open: LeasedIdGenerator[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase("snowlease");
});
afterAll(async () => {
  await Promise.allSettled(open.map((gen) => gen.close()));
  await testDb?.drop();
});

async function lease(options: Parameters<typeof createLeasedIdGenerator>[1] = {}) {
  const gen = await createLeasedIdGenerator(testDb.db, options);
  open.push(gen);
  return gen;
}

async function expireInDatabase(workerId: number) {
  await testDb.db
    .update(leases)
    .set({ expiresAt: sql`NOW(3) - INTERVAL 1 SECOND` })
    .where(eq(leases.name, `snowflake:${workerId}`));
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}

function mintFails(gen: LeasedIdGenerator): boolean {
  try {
    gen.nextId();
    return false;
  } catch (error) {
    return error instanceof WorkerIdLeaseError;
  }
}

describe("leased worker ids", () => {
  test("two generators get different worker ids and their ids never collide", async () => {
    const a = await lease({ workerIds: [100, 101] });
    const b = await lease({ workerIds: [100, 101] });
    expect(a.workerId).not.toBe(b.workerId);
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      ids.add(a.nextId());
      ids.add(b.nextId());
    }
    expect(ids.size).toBe(10_000);
    expect(parseSnowflake(a.nextId()).workerId).toBe(a.workerId);
    // Both slots are held now: a third instance must not be handed either of them.
    await expect(lease({ workerIds: [100, 101] })).rejects.toThrow(NoFreeWorkerIdError);
  });

  test("many instances starting at once (one config, serverless) all get distinct worker ids", async () => {
    const pool = Array.from({ length: 24 }, (_, n) => 200 + n);
    const gens = await Promise.all(Array.from({ length: 16 }, () => lease({ workerIds: pool })));
    expect(new Set(gens.map((gen) => gen.workerId)).size).toBe(16);
  });

  test("an expired lease taken over by another holder makes the first stop minting", async () => {
    const first = await lease({ workerIds: [300], ttlMs: 3000, renewEveryMs: 50 });
    const before = Array.from({ length: 100 }, () => first.nextId());
    // The first holder was partitioned away long enough for its lease to expire in the database.
    await expireInDatabase(300);
    const second = await lease({ workerIds: [300], holder: "takeover" });
    expect(second.workerId).toBe(300);
    expect(second.fence).toBe(first.fence + 1);
    // Its next renewal sees the new holder and fence: it stops for good.
    expect(await until(() => mintFails(first), 2000)).toBe(true);
    expect(() => first.nextId()).toThrow(/taken over/);
    // The successor's ids come strictly after everything the first holder minted.
    const after = second.nextId();
    const last = before.at(-1) ?? "0";
    expect(BigInt(after) > BigInt(last)).toBe(true);
  });

  test("a lease whose renewals do not land stops minting at its deadline", async () => {
    // Renewal interval far beyond the TTL stands in for a renewal path that keeps failing.
    const gen = await lease({ workerIds: [400], ttlMs: 400, renewEveryMs: 60_000 });
    expect(gen.nextId()).toMatch(/^\d+$/);
    expect(await until(() => mintFails(gen), 1500)).toBe(true);
    expect(() => gen.nextId()).toThrow(/lapsed/);
  });

  test("renewal keeps the lease alive past its TTL", async () => {
    const gen = await lease({ workerIds: [450], ttlMs: 300, renewEveryMs: 50 });
    await Bun.sleep(700);
    expect(gen.nextId()).toMatch(/^\d+$/);
    const [row] = await testDb.db.select().from(leases).where(eq(leases.name, "snowflake:450"));
    expect(row?.fence).toBe(gen.fence);
  });

  test("close releases the worker id for the next holder and stops minting", async () => {
    const gen = await lease({ workerIds: [500] });
    const lastId = gen.nextId();
    await gen.close();
    expect(() => gen.nextId()).toThrow(WorkerIdLeaseError);
    await Bun.sleep(5);
    const next = await lease({ workerIds: [500] });
    expect(next.workerId).toBe(500);
    expect(next.fence).toBe(gen.fence + 1);
    expect(BigInt(next.nextId()) > BigInt(lastId)).toBe(true);
  });

  test("a successor whose clock is slightly behind waits it out; far behind is refused", async () => {
    const first = await lease({ workerIds: [600] });
    const lastId = first.nextId();
    await first.close();
    await Bun.sleep(5);
    const started = Date.now();
    const lagging = await lease({ workerIds: [600], clock: () => Date.now() - 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(BigInt(lagging.nextId()) > BigInt(lastId)).toBe(true);
    await lagging.close();
    await Bun.sleep(5);
    await expect(lease({ workerIds: [600], clock: () => Date.now() - 60_000 })).rejects.toThrow(/behind/);
    // The refused instance gave the slot back at once.
    const next = await lease({ workerIds: [600] });
    expect(next.workerId).toBe(600);
  });
});
