/**
 * `bun run test`: brings up the services the tests talk to (TEST_DATABASE_URL, TEST_NATS_URL,
 * TEST_REDIS_URL; else the development URLs; a private instance for any that does not answer),
 * migrates the development database, and runs every package's tests one package at a time. Extra
 * arguments go to turbo (e.g. `bun run test --filter @parley/web`).
 */
import { runWithServices } from "../tooling/dev-services/src/index";
import { ensureDevEnv, REPO_ROOT, TURBO } from "./setup";

await ensureDevEnv();
const code = await runWithServices({
  root: REPO_ROOT,
  profile: "test",
  before: [[process.execPath, "run", "db:migrate"]],
  main: [TURBO, "run", "test", "--concurrency=1", "--continue", ...process.argv.slice(2)],
  env: { TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(code);
