import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { EventPublisher } from "@parley/core";
import { leaseName, type ShardWorker, startShardWorker } from "@parley/core/jobs";
import { schema } from "@parley/db";
import { getLease, getMessage } from "@parley/db/queries";
import { createTestDatabase, type TestDatabase } from "@parley/testkit";
import { waitUntil } from "@parley/testkit/wait";

let testDb: TestDatabase;
const started: ShardWorker[] = [];
const noEvents: EventPublisher = {
  publish: () => {
    throw new Error("no NATS in this test");
  },
};

beforeAll(async () => {
  testDb = await createTestDatabase("worker");
});
afterAll(async () => {
  await Promise.allSettled(started.map((worker) => worker.stop()));
  await testDb?.drop();
});

function worker(
  shard: string,
  holder: string,
  options: { ttlMs: number; tickMs: number },
  lines: string[] = [],
) {
  const w = startShardWorker({
    db: testDb.db,
    events: noEvents,
    shard,
    holder,
    leaseTtlMs: options.ttlMs,
    tickMs: options.tickMs,
    log: (line) => lines.push(line),
  });
  started.push(w);
  return w;
}

describe("one active worker per shard under a fenced lease", () => {
  test("two workers: exactly one active; stopping it hands over at once", async () => {
    const a = worker("s1", "host-a", { ttlMs: 5_000, tickMs: 30 });
    await waitUntil(() => a.isActive(), "a to take the lease");
    const b = worker("s1", "host-b", { ttlMs: 5_000, tickMs: 30 });
    await Bun.sleep(200);
    expect(a.isActive()).toBe(true);
    expect(b.isActive()).toBe(false);
    const fenceA = a.fence() ?? 0;
    await a.stop();
    // Released on clean shutdown: b need not wait out the 5 s TTL.
    await waitUntil(() => b.isActive(), "b to take over", { timeoutMs: 1_000 });
    expect(b.fence() ?? 0).toBeGreaterThan(fenceA);
    expect((await getLease(testDb.db, leaseName("s1")))?.holder).toBe("host-b");
    await b.stop();
  });

  test("a paused worker whose lease lapsed stops trusting it and, on its next renew, learns it lost it", async () => {
    const linesA: string[] = [];
    // a renews far less often than its TTL: a stand-in for a GC pause or a partition.
    const a = worker("s2", "host-a", { ttlMs: 400, tickMs: 1_500 }, linesA);
    await waitUntil(() => a.isActive(), "a to take the lease");
    const fenceA = a.fence() ?? 0;
    const b = worker("s2", "host-b", { ttlMs: 400, tickMs: 30 });
    await waitUntil(() => b.isActive(), "b to take over after the lapse", { timeoutMs: 3_000 });
    // a's own clock already told it to stop, before b could acquire.
    expect(a.isActive()).toBe(false);
    expect(b.fence() ?? 0).toBeGreaterThan(fenceA);
    await waitUntil(() => linesA.some((line) => line.includes("lease lost")), "a's failed renew", {
      timeoutMs: 3_000,
    });
    expect(a.isActive()).toBe(false);
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe("the worker process", () => {
  test("`bun src/main.ts` takes the lease, reconciles, and exits cleanly on SIGTERM releasing it", async () => {
    const dialogId = "4242";
    const msgId = "777000111";
    const old = new Date(Date.now() - 60_000);
    await testDb.db.insert(schema.messages).values({
      dialogId,
      id: msgId,
      senderId: "1",
      senderClientId: "2",
      clientMsgId: "orphan",
      clientSeq: 1,
      kind: "text",
      content: { kind: "text", text: "left by a crash after Try" },
      status: "pending",
      seq: null,
      createdAt: old,
      updatedAt: old,
    });
    const child = Bun.spawn(["bun", join(import.meta.dir, "..", "main.ts")], {
      env: {
        ...process.env,
        DATABASE_URL: testDb.url,
        WORKER_SHARDS: "0",
        WORKER_TICK_MS: "50",
        WORKER_HOLDER: "proc-test",
        RECONCILE_AFTER_MS: "1000",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      await waitUntil(
        async () => (await getLease(testDb.db, leaseName("0")))?.holder === "proc-test",
        "the process to take the lease",
        { timeoutMs: 10_000 },
      );
      await waitUntil(
        async () => (await getMessage(testDb.db, dialogId, msgId))?.status === "failed",
        "the orphaned pending message to be settled",
        { timeoutMs: 10_000 },
      );
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      const out = await new Response(child.stdout).text();
      expect(out).toContain("lease acquired");
      expect(out).toContain("lease released");
      const lease = await getLease(testDb.db, leaseName("0"));
      expect((lease?.expiresAt.getTime() ?? Infinity) <= Date.now() + 50).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 30_000);

  test("a bad environment stops it with one line naming the variable", async () => {
    const child = Bun.spawn(["bun", join(import.meta.dir, "..", "main.ts")], {
      env: { ...process.env, WORKER_LEASE_TTL_MS: "nope" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await child.exited).toBe(1);
    expect(await new Response(child.stderr).text()).toContain("WORKER_LEASE_TTL_MS");
  });
});
