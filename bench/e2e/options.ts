import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

export const REPO_ROOT = resolve(join(import.meta.dir, "..", ".."));

/**
 * A scenario: 1:1 pairs or groups, closed loop (each sender waits for its ack before the next) or
 * open loop at a fixed total rate of sends/s.
 */
export type Scenario =
  | { name: string; shape: "pair" | "group"; loop: "closed" }
  | { name: string; shape: "pair" | "group"; loop: "open"; rate: number };

const SCENARIO_PATTERN = /^(1to1|group)-(closed|open@(\d+))$/;

export const DEFAULT_SCENARIOS = "1to1-closed,1to1-open@1000,1to1-open@2000,group-closed,group-open@40";

export function parseScenario(text: string): Scenario {
  const match = SCENARIO_PATTERN.exec(text.trim());
  if (!match)
    throw new Error(
      `bad scenario "${text}": use 1to1-closed, 1to1-open@<rate>, group-closed, group-open@<rate>`,
    );
  const shape = match[1] === "1to1" ? "pair" : "group";
  const name = text.trim();
  if (match[2] === "closed") return { name, shape, loop: "closed" };
  return { name, shape, loop: "open", rate: Number(match[3]) };
}

const ZOptions = z.object({
  /** The checkout whose production stack is measured (a git worktree of an older commit, say). */
  checkout: z
    .string()
    .default(REPO_ROOT)
    .transform((dir) => resolve(dir)),
  /** "next": next build + next start serve /api/trpc; "lean": apps/api/src/main.ts (Bun.serve). */
  api: z.enum(["next", "lean"]).default("next"),
  /** Lean mode: processes sharing the API port (reusePort). */
  apiProcesses: z.coerce.number().int().min(1).max(64).default(cpus().length),
  users: z.coerce.number().int().min(4).max(20_000).default(1000),
  groupSize: z.coerce.number().int().min(3).max(1000).default(100),
  /** Seconds of load per scenario (the drain after it is extra). */
  duration: z.coerce.number().min(1).max(3600).default(15),
  scenarios: z
    .string()
    .default(DEFAULT_SCENARIOS)
    .transform((list) => list.split(",").filter(Boolean).map(parseScenario)),
  /** Closed loop 1:1: pairs sending at once (default: every pair). */
  closedSenders: z.coerce.number().int().min(1).optional(),
  /** Members of each group that send (closed loop: each waits for its own ack). */
  groupSenders: z.coerce.number().int().min(1).default(4),
  /** Open loop: sends of one (dialog, client) in flight at once, consecutive clientSeqs. */
  window: z.coerce.number().int().min(1).max(64).default(8),
  /** After the load stops: how long in-flight sends may settle and deliveries arrive. */
  drain: z.coerce.number().min(1).max(600).default(10),
  /** Seconds of unmeasured closed-loop 1:1 load before the first scenario (JIT, pools, caches). */
  warmup: z.coerce.number().min(0).max(600).default(3),
  /** Keep the scratch database after the run (to inspect it). */
  keepDb: z.boolean().default(false),
  /** bench/results/<out>.json */
  out: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default("e2e"),
  /** A free-form label stored with the results (e.g. the commit under test). */
  label: z.string().max(200).optional(),
});
export type E2eOptions = z.infer<typeof ZOptions>;

const BOOLEAN_FLAGS = new Set(["keep-db"]);

/** `--name value` / `--name=value` flags (kebab-case) → validated options; a bad flag stops the run naming it. */
export function parseOptions(argv: string[], defaults: Record<string, unknown> = {}): E2eOptions {
  const raw: Record<string, unknown> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}" (flags are --name value)`);
    const [flag, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (BOOLEAN_FLAGS.has(flag)) {
      raw[key] = inline === undefined ? true : inline !== "false";
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${flag} needs a value`);
    raw[key] = value;
  }
  const parsed = ZOptions.strict().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join(".") || (issue as { keys?: string[] } | undefined)?.keys?.join(", ");
    throw new Error(`bad option ${name}: ${issue?.message}`);
  }
  return parsed.data;
}
