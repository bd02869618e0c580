import { join } from "node:path";
import { PROFILES } from "./profiles";
import { formatFailures } from "./report";
import { runScenario, type ScenarioResult } from "./run-scenario";
import { startWorld, type World } from "./world";

export type ChaosOptions = {
  profile: keyof typeof PROFILES;
  seeds: number[];
  /** Only these scenarios (names); all of the profile's by default. */
  scenarios?: string[];
  log: (line: string) => void;
  /** The world now running (null between seeds): an interrupted run stops it. */
  onWorld?: (world: World | null) => void;
  /** After each scenario (a long run keeps its figures even if interrupted). */
  onResult?: (results: readonly ScenarioResult[]) => void;
};

/**
 * Each seed gets a world of its own (fresh database, NATS cluster, API, gateways, worker) and runs
 * the profile's scenarios on it one after another; each scenario has its own users and dialogs.
 */
export async function runChaos(options: ChaosOptions): Promise<ScenarioResult[]> {
  const profile = PROFILES[options.profile];
  if (!profile) throw new Error(`unknown profile ${options.profile}`);
  const specs = profile.scenarios.filter((s) => !options.scenarios || options.scenarios.includes(s.name));
  if (specs.length === 0) throw new Error(`no scenario named ${options.scenarios?.join(", ")}`);
  const results: ScenarioResult[] = [];
  for (const seed of options.seeds) {
    options.log(`seed ${seed}: starting the world (${profile.name} profile)`);
    const world = await startWorld({
      label: "chaos",
      logDir: join(import.meta.dir, "..", "test-results", "logs", String(seed)),
      // The everyone-group of every scenario is big; the small groups are not.
      bigGroupMinMembers: Math.max(profile.groupSize + 1, profile.users - 1),
      log: (line) => options.log(`  world: ${line}`),
    });
    options.onWorld?.(world);
    try {
      for (const [index, spec] of specs.entries()) {
        const result = await runScenario(world, profile, spec, seed, index, options.log);
        options.log(
          `${spec.name} seed ${seed}: ${result.passed ? "ok" : "FAIL"} in ${result.seconds.toFixed(1)} s` +
            (result.convergenceSeconds === null
              ? ""
              : `, converged ${result.convergenceSeconds.toFixed(1)} s after healing`),
        );
        if (!result.passed) options.log(formatFailures([result]));
        results.push(result);
        options.onResult?.(results);
      }
    } finally {
      options.onWorld?.(null);
      await world.stop();
    }
  }
  return results;
}
