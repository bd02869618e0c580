/**
 * `bun run dev`: writes `.env` on the first run, brings up MariaDB, NATS and Redis (whatever answers,
 * else a private instance per missing one, see tooling/dev-services), migrates, then runs every
 * app's dev task. Ctrl+C stops the apps, then the private instances this run started.
 */
import { runWithServices } from "../tooling/dev-services/src/index";
import { ensureDevEnv, REPO_ROOT, TURBO } from "./setup";

await ensureDevEnv();
const code = await runWithServices({
  root: REPO_ROOT,
  profile: "dev",
  before: [[process.execPath, "run", "db:migrate"]],
  main: [TURBO, "run", "dev"],
  env: { TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(code);
