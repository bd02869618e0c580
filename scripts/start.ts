/**
 * `bun run start`: Parley in production mode on this machine, with one command. Brings up the
 * services (as `bun run dev` does), migrates, builds the web app, then runs every process in
 * PROCESSES until Ctrl+C (or until one of them exits, which stops the rest).
 *
 * Add a process here and it starts, logs and stops with the others.
 */
import { bringUpServices, readEnvFile, ServicesMissingError } from "../tooling/dev-services/src/index";
import { type ProcessSpec, supervise } from "./lib/supervise";
import { ensureDevEnv, REPO_ROOT } from "./setup";

const BUN = process.execPath;
const NEXT = "node_modules/next/dist/bin/next";

await ensureDevEnv();
const fromFile = readEnvFile(`${REPO_ROOT}/.env`);
const setting = (key: string, fallback: string) => process.env[key] ?? fromFile[key] ?? fallback;
const webPort = setting("PORT", "3000");
const appUrl = setting("APP_URL", `http://localhost:${webPort}`);

/** Next serves pages behind the API server, on a port of its own (loopback only). */
const nextPort = setting("NEXT_PORT", String(Number(webPort) + 100));

/** Every long-lived process of a production deployment, in start order. */
const PROCESSES: ProcessSpec[] = [
  // Under Bun, not Node: the auth package hashes passwords with Bun.password. Its one trusted proxy
  // hop is the API server in front of it, which sets X-Forwarded-For to the client's address.
  {
    name: "web",
    cwd: "apps/web",
    command: [BUN, "--bun", NEXT, "start", "--hostname", "127.0.0.1", "--port", nextPort],
    env: { TRUSTED_PROXY_HOPS: "1" },
  },
  // The public port: /api/trpc served by Bun.serve (one process per core, reusePort), everything else
  // proxied to Next. Same router, same URL; the Next.js layer was half of the API's CPU per message.
  {
    name: "api",
    cwd: "apps/api",
    command: [BUN, "src/main.ts"],
    env: { PORT: webPort, NEXT_ORIGIN: `http://127.0.0.1:${nextPort}` },
  },
  {
    name: "realtime",
    cwd: "apps/realtime",
    command: [BUN, "src/main.ts"],
    env: { PORT: setting("REALTIME_PORT", "3001") },
  },
  { name: "worker", cwd: "apps/worker", command: [BUN, "src/main.ts"] },
];

const log = (line: string) => console.log(`[start] ${line}`);
let services: Awaited<ReturnType<typeof bringUpServices>>;
try {
  services = await bringUpServices({ root: REPO_ROOT, profile: "dev", log: (line) => log(line) });
} catch (error) {
  if (!(error instanceof ServicesMissingError)) throw error;
  for (const line of error.lines) console.error(line);
  process.exit(1);
}

const env: Record<string, string | undefined> = {
  // The apps outside Next read no .env of their own: hand every process the same settings.
  ...fromFile,
  ...process.env,
  ...services.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  TURBO_TELEMETRY_DISABLED: "1",
  // A Secure cookie never comes back over plain http: only ask for one when the site is https.
  AUTH_COOKIE_SECURE: setting("AUTH_COOKIE_SECURE", String(appUrl.startsWith("https:"))),
};

async function step(name: string, command: string[], cwd = REPO_ROOT): Promise<void> {
  log(name);
  const code = await Bun.spawn(command, { cwd, env, stdio: ["inherit", "inherit", "inherit"] }).exited;
  if (code === 0) return;
  console.error(`[start] ${name} failed (exit ${code})`);
  await services.stop();
  process.exit(code);
}

await step("migrating the database", [BUN, "run", "db:migrate"]);
await step("building the web app (next build)", [BUN, "--bun", NEXT, "build"], `${REPO_ROOT}/apps/web`);
log(`starting ${PROCESSES.map((spec) => spec.name).join(", ")}; open ${appUrl}`);
const code = await supervise(REPO_ROOT, PROCESSES, env);
if (services.started.length > 0) {
  log(`stopping ${services.started.map((instance) => instance.label).join(", ")}`);
  await services.stop();
}
process.exit(code);
