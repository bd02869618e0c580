/**
 * `bun run bench:e2e [--checkout <dir>] [--api next|lean] [--users 1000] [--duration 15]
 * [--scenarios 1to1-closed,1to1-open@1000,…]` — see bench/README.md ("e2e").
 */
import { ensureFetchConcurrency } from "./fetch-limit";
import { parseOptions } from "./options";
import { runE2e } from "./run";

await ensureFetchConcurrency();
try {
  await runE2e(parseOptions(process.argv.slice(2)));
} catch (error) {
  console.error(
    `e2e bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}
