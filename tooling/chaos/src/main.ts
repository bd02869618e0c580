import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { formatFailures, formatTable } from "./report";
import { runChaos } from "./run-chaos";
import type { World } from "./world";

const ZArgs = z.object({
  profile: z.enum(["short", "long"]).default("short"),
  seed: z.coerce.number().int().min(0).optional(),
  seeds: z.coerce.number().int().min(1).max(1_000).default(1),
  scenario: z.string().optional(),
  json: z.string().optional(),
});

/** `--key value` pairs → an object (the whole CLI is a handful of flags). */
function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split("=", 2);
    if (!key) throw new Error(`bad flag ${arg}`);
    flags[key] = inline ?? argv[++i] ?? "";
  }
  return flags;
}

const usage =
  "usage: bun run chaos [--profile short|long] [--seed N] [--seeds K] [--scenario name[,name]] [--json path]";

let args: z.infer<typeof ZArgs>;
try {
  args = ZArgs.parse(parseFlags(process.argv.slice(2)));
} catch (error) {
  console.error(`${usage}\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const firstSeed = args.seed ?? Math.floor(Math.random() * 1_000_000);
// Interrupted: stop the processes and drop the database of the seed in progress.
let current: World | null = null;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping the world`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
const jsonPath = args.json ?? `test-results/chaos-${args.profile}.json`;
mkdirSync(dirname(jsonPath), { recursive: true });
const writeJson = (results: readonly unknown[]) =>
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ profile: args.profile, seeds: args.seeds, firstSeed, results }, null, 2)}\n`,
  );
const results = await runChaos({
  onWorld: (world) => {
    current = world;
  },
  onResult: writeJson,
  profile: args.profile,
  seeds: Array.from({ length: args.seeds }, (_, i) => firstSeed + i),
  scenarios: args.scenario?.split(","),
  log: (line) => console.log(line),
});
console.log(`\n${formatTable(results)}`);
const failures = formatFailures(results);
if (failures) console.log(failures);
writeJson(results);
const failed = results.filter((r) => !r.passed).length;
console.log(`\n${results.length - failed}/${results.length} scenario runs passed; JSON: ${jsonPath}`);
process.exit(failed === 0 ? 0 : 1);
