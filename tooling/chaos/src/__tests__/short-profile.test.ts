import { expect, test } from "bun:test";
import { formatFailures, formatTable } from "../report";
import { runChaos } from "../run-chaos";

/**
 * The short chaos profile, in CI on every change: one seed (CHAOS_SEED, default 1) through every
 * scenario — socket cuts, dropped pushes and a lost quiet tail, gateway / NATS / API / worker
 * SIGKILLs, a slow API, a resync storm. Any violation on any client fails the test, with the table
 * and the first violations printed.
 */
test("short chaos profile: every client converges on the server's truth after every fault", async () => {
  const seed = Number(process.env.CHAOS_SEED ?? 1);
  const results = await runChaos({ profile: "short", seeds: [seed], log: (line) => console.log(line) });
  console.log(`\n${formatTable(results)}`);
  const failures = formatFailures(results);
  if (failures) console.log(failures);
  expect(results.filter((r) => !r.passed).map((r) => r.scenario)).toEqual([]);
}, 600_000);
