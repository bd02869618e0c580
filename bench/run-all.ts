/**
 * `bun run bench` (root) → runs every bench below, one process each, in order, and prints a summary.
 * Adding a bench is one line here. Each bench prints its table and writes bench/results/<name>.json.
 * Benches are not tests: they never fail on a slow number, only on an error.
 */
const BENCHES: string[] = [
  "snowflake.ts",
  "send-path.ts",
  "realtime-sockets.ts",
  "realtime-fanout.ts",
  "realtime-latency.ts",
  "e2e/short.ts",
  "noisy-neighbour.ts",
];

const only = process.argv.slice(2);
const selected =
  only.length > 0 ? BENCHES.filter((file) => only.some((name) => file.includes(name))) : BENCHES;
const outcomes: { file: string; code: number; seconds: number }[] = [];
for (const file of selected) {
  console.log(`\n>>> bun ${file}`);
  const started = performance.now();
  const child = Bun.spawn(["bun", file], { cwd: import.meta.dir, stdout: "inherit", stderr: "inherit" });
  const code = await child.exited;
  outcomes.push({ file, code, seconds: Math.round((performance.now() - started) / 100) / 10 });
}
console.log("\nbench summary:");
for (const { file, code, seconds } of outcomes) {
  console.log(`  ${code === 0 ? "ok  " : "FAIL"}  ${file}  (${seconds} s)`);
}
const failed = outcomes.filter((outcome) => outcome.code !== 0).length;
console.log(`${outcomes.length - failed} benches ok, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
