/**
 * The short end-to-end run that `bun run bench` includes: fewer users and seconds than
 * `bun run bench:e2e`, the same scenarios at a lower open-loop 1:1 rate. Flags still apply.
 */
import { ensureFetchConcurrency } from "./fetch-limit";
import { parseOptions } from "./options";
import { runE2e } from "./run";

const SHORT = {
  users: 200,
  duration: 5,
  warmup: 2,
  drain: 5,
  scenarios: "1to1-closed,1to1-open@500,group-closed,group-open@40",
  out: "e2e-short",
};

await ensureFetchConcurrency();
try {
  await runE2e(parseOptions(process.argv.slice(2), SHORT));
} catch (error) {
  console.error(
    `e2e bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}
