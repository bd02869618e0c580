/**
 * Mints 1M snowflake ids: the pure generator, and the leased generator the API uses (lease check on
 * every id) against a scratch database. The 8-bit sequence caps one worker at 256 ids/ms, so
 * 256 k ids/s is the ceiling whatever the CPU (a worker that hits it busy-waits for the next ms).
 */
import { createLeasedIdGenerator, MAX_SEQUENCE, Snowflake } from "@parley/db/snowflake";
import { createTestDatabase } from "@parley/testkit";
import { cpuTimeIt, perSecond, type Row, report } from "./lib";

const COUNT = 1_000_000;

function mint(next: () => string, count: number): { unique: number; increasing: boolean } {
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = next();
  let increasing = true;
  for (let i = 1; i < count && increasing; i++)
    increasing = BigInt(ids[i] ?? "0") > BigInt(ids[i - 1] ?? "0");
  return { unique: new Set(ids).size, increasing };
}

async function run(label: string, next: () => string): Promise<Row> {
  next(); // warm the JIT and the first millisecond
  const { ms, cpuUs } = await cpuTimeIt(() => {
    for (let i = 0; i < COUNT; i++) next();
  });
  const check = mint(next, 100_000);
  if (check.unique !== 100_000 || !check.increasing) throw new Error(`${label}: ids not unique/increasing`);
  return {
    generator: label,
    ids: COUNT,
    ms: Math.round(ms),
    "ids/s": Math.round(perSecond(COUNT, ms)),
    "ns CPU/id": Math.round((cpuUs * 1000) / COUNT),
    "% of per-worker cap": Math.round((perSecond(COUNT, ms) / ((MAX_SEQUENCE + 1) * 1000)) * 100),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const pure = new Snowflake(1);
  rows.push(await run("Snowflake (pure)", () => pure.nextId()));
  // A clock that gains 1 ms every MAX_SEQUENCE + 1 reads never makes nextId wait: the raw cost of minting.
  let fakeNow = Date.now();
  const unthrottled = new Snowflake(2, { clock: () => (fakeNow += 1 / (MAX_SEQUENCE + 1)) });
  rows.push(await run("Snowflake (no per-ms cap)", () => unthrottled.nextId()));
  const testDb = await createTestDatabase("benchsnow");
  try {
    const leased = await createLeasedIdGenerator(testDb.db);
    rows.push(await run("createLeasedIdGenerator", () => leased.nextId()));
    await leased.close();
  } finally {
    await testDb.drop();
  }
  report("snowflake", rows, { count: COUNT, note: `one worker id; ceiling ${MAX_SEQUENCE + 1} ids per ms` });
}

main().catch((error: unknown) => {
  console.error(`snowflake bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
