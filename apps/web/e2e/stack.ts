/**
 * Starts everything a browser test needs, on free ports, against a fresh database: the worker, a
 * realtime gateway and the web app (one `next build` into .next-e2e, then `next start`). Every
 * process is stopped and the database dropped by `stop()`. A missing service fails naming it.
 */
import { existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { generateEd25519PemPair, generateSecret } from "@parley/auth";
import {
  createTestDatabase,
  requireMariaDb,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "@parley/testkit";
import type { Subprocess } from "bun";

const WEB_DIR = join(import.meta.dir, "..");
const REPO = join(WEB_DIR, "../..");
const LOG_DIR = join(WEB_DIR, "test-results");
const DIST_DIR = ".next-e2e";

export type Stack = {
  appUrl: string;
  realtimeUrl: string;
  /** The gateway's ops listener (/metrics, detailed /healthz): not its public port. */
  realtimeMetricsUrl: string;
  env: Record<string, string>;
  /** One SQL statement on the stack's test database (scatter-guarded like every test statement): rows. */
  query: (statement: string) => Promise<Record<string, unknown>[]>;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response("") });
  const port = server.port;
  server.stop(true);
  if (!port) throw new Error("could not find a free port");
  return port;
}

function spawnLogged(name: string, cmd: string[], cwd: string, env: Record<string, string>): Subprocess {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(join(LOG_DIR, `${name}.log`), "w");
  return Bun.spawn(cmd, { cwd, env: { ...process.env, ...env }, stdout: log, stderr: log });
}

async function waitFor(name: string, check: () => Promise<boolean>, proc: Subprocess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      throw new Error(`${name} exited with code ${proc.exitCode}; see apps/web/test-results/${name}.log`);
    }
    if (await check().catch(() => false)) return;
    await Bun.sleep(150);
  }
  throw new Error(`${name} did not become ready in ${timeoutMs} ms; see apps/web/test-results/${name}.log`);
}

/** One build per test process: every e2e file asks for it, and `bun test` runs them in one process. */
let built: Promise<void> | null = null;

export function buildWebApp(): Promise<void> {
  built ??= runNextBuild().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

async function runNextBuild(): Promise<void> {
  // E2E_REUSE_BUILD=1 skips the build when iterating on tests only.
  if (process.env.E2E_REUSE_BUILD === "1" && existsSync(join(WEB_DIR, DIST_DIR, "BUILD_ID"))) return;
  mkdirSync(LOG_DIR, { recursive: true });
  const build = Bun.spawn(["bun", "--bun", "node_modules/next/dist/bin/next", "build"], {
    cwd: WEB_DIR,
    env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdout: openSync(join(LOG_DIR, "next-build.log"), "w"),
    stderr: openSync(join(LOG_DIR, "next-build.log"), "a"),
  });
  const code = await build.exited;
  if (code !== 0) throw new Error(`next build failed (${code}); see apps/web/test-results/next-build.log`);
}

/** `extraEnv` sees the app's URL before anything starts (e.g. to register an OIDC redirect URI). */
export async function startStack(
  extraEnv: (urls: { appUrl: string }) => Promise<Record<string, string>> = async () => ({}),
): Promise<Stack> {
  await requireMariaDb();
  await requireNats();
  await requireRedis();
  const database = await createTestDatabase("web");
  const processes: Subprocess[] = [];
  const stop = async () => {
    for (const proc of processes) proc.kill("SIGTERM");
    await Promise.all(
      processes.map((proc) => Promise.race([proc.exited, Bun.sleep(3000).then(() => proc.kill("SIGKILL"))])),
    );
    await database.drop();
  };
  try {
    const [realtimeKeys, accessKeys] = await Promise.all([
      generateEd25519PemPair(),
      generateEd25519PemPair(),
    ]);
    const [webPort, realtimePort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const appUrl = `http://127.0.0.1:${webPort}`;
    const realtimeUrl = `ws://127.0.0.1:${realtimePort}/ws`;
    const env: Record<string, string> = {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      NATS_URL: TEST_NATS_URL,
      REDIS_URL: TEST_REDIS_URL,
      APP_URL: appUrl,
      REALTIME_URL: realtimeUrl,
      REALTIME_TOKEN_PRIVATE_KEY: realtimeKeys.privatePem,
      REALTIME_TOKEN_PUBLIC_KEY: realtimeKeys.publicPem,
      ACCESS_TOKEN_PRIVATE_KEY: accessKeys.privatePem,
      ACCESS_TOKEN_PUBLIC_KEY: accessKeys.publicPem,
      REFRESH_TOKEN_SECRET: generateSecret(),
      AUTH_COOKIE_SECURE: "false",
      NEXT_TELEMETRY_DISABLED: "1",
      // Fast heartbeats so an offline browser notices within seconds, as a phone would.
      HEARTBEAT_MS: "5000",
      IDLE_TIMEOUT_MS: "15000",
      // Every run signs up from 127.0.0.1 against the one shared Redis, whose counters outlive the
      // run: the real per-IP sign-up budget would refuse the 7th run within an hour.
      SIGN_UP_RATE_LIMIT_MAX: "1000000",
      NEW_CLIENT_RATE_LIMIT_MAX: "1000000",
      // Groups of three are big groups here (one chat.dialog.<id> publish per message, sockets
      // subscribed through their token's dlg claim), so the browser tests drive that path; 1:1
      // dialogs keep the per-member path.
      BIG_GROUP_MIN_MEMBERS: "3",
      BIG_GROUP_FANOUT_GRACE_MS: "0",
    };
    Object.assign(env, await extraEnv({ appUrl }));

    const worker = spawnLogged("worker", ["bun", "src/main.ts"], join(REPO, "apps/worker"), env);
    processes.push(worker);
    const realtime = spawnLogged("realtime", ["bun", "src/main.ts"], join(REPO, "apps/realtime"), {
      ...env,
      PORT: String(realtimePort),
      HOST: "127.0.0.1",
      METRICS_PORT: String(metricsPort),
    });
    processes.push(realtime);
    const web = spawnLogged(
      "web",
      // Under Bun, not Node: the auth package hashes passwords with Bun.password.
      [
        "bun",
        "--bun",
        "node_modules/next/dist/bin/next",
        "start",
        "--port",
        String(webPort),
        "--hostname",
        "127.0.0.1",
      ],
      WEB_DIR,
      { ...env, NEXT_DIST_DIR: DIST_DIR },
    );
    processes.push(web);

    await waitFor(
      "realtime",
      async () => (await fetch(`http://127.0.0.1:${realtimePort}/ws`)).status > 0,
      realtime,
      20_000,
    );
    await waitFor("web", async () => (await fetch(`${appUrl}/sign-in`)).ok, web, 30_000);
    // The worker has no port; it only has to stay up.
    if (worker.exitCode !== null) throw new Error("worker exited; see apps/web/test-results/worker.log");
    const query = async (statement: string) => {
      const [rows] = (await database.db.execute(statement)) as unknown as [Record<string, unknown>[]];
      return rows;
    };
    const realtimeMetricsUrl = `http://127.0.0.1:${metricsPort}`;
    return { appUrl, realtimeUrl, realtimeMetricsUrl, env, query, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
