import { expect, test } from "bun:test";
import type { WindowVerdict } from "@parley/auth";
import { BudgetLeases, chunkOf } from "./budget-lease";

/** The shared counter of one window, as Redis keeps it: reserve first, then compare. */
function sharedCounter(max: number) {
  let count = 0;
  let calls = 0;
  const take = async (hits: number): Promise<WindowVerdict> => {
    calls++;
    count += hits;
    return count <= max ? { allowed: true } : { allowed: false, retryAfterMs: 1_000 };
  };
  return { take, calls: () => calls };
}

test("hits are spent locally from chunks: one shared round trip per chunk", async () => {
  const leases = new BudgetLeases();
  const shared = sharedCounter(600);
  for (let i = 0; i < 90; i++)
    expect((await leases.spend("k", 600, 10_000, shared.take, 0)).allowed).toBe(true);
  expect(shared.calls()).toBe(90 / chunkOf(600));
});

test("never more than the shared budget in total, across processes", async () => {
  const shared = sharedCounter(100);
  const processes = [new BudgetLeases(), new BudgetLeases(), new BudgetLeases()];
  let allowed = 0;
  for (let i = 0; i < 400; i++) {
    const verdict = await (processes[i % 3] as BudgetLeases).spend("k", 100, 10_000, shared.take, 0);
    if (verdict.allowed) allowed++;
  }
  expect(allowed).toBeLessThanOrEqual(100);
  expect(allowed).toBeGreaterThanOrEqual(100 - 2 * chunkOf(100));
});

test("a lease ends with its window", async () => {
  const leases = new BudgetLeases();
  const shared = sharedCounter(1_000);
  await leases.spend("k", 1_000, 10_000, shared.take, 0);
  await leases.spend("k", 1_000, 10_000, shared.take, 9_999);
  expect(shared.calls()).toBe(1);
  await leases.spend("k", 1_000, 10_000, shared.take, 10_000);
  expect(shared.calls()).toBe(2);
});
