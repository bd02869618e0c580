/**
 * Starts everything a browser test needs, on free ports, against a fresh database: the worker, a
 * realtime gateway and the web app — the production build, started as `bun run start` starts it
 * (server.ts). Every process is stopped and the database dropped by `stop()`. A missing service
 * fails naming it; a process that dies names its log under apps/web/test-results.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createTestAuthEnv } from "@parley/auth/testing";
import {
  createTestDatabase,
  requireMariaDb,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "@parley/testkit";
import { APP_MAIN } from "@parley/testkit/apps";
import { freePort } from "@parley/testkit/ports";
import {
  answers,
  type LoggedProcess,
  spawnLogged,
  stopProcess,
  waitForReady,
} from "@parley/testkit/processes";

const WEB_DIR = join(import.meta.dir, "..");
const LOG_DIR = join(WEB_DIR, "test-results");
/**
 * The build of this run, in a folder of its own: several people run the browser tests in one checkout,
 * and a build started by another run must not replace files under a server of this one. Removed after
 * the run's last file (e2e/preload.ts), and by the next build if that run died first; E2E_REUSE_BUILD=1
 * keeps one fixed build instead, for iterating on tests only.
 */
const REUSE_BUILD = process.env.E2E_REUSE_BUILD === "1";
const BUILDS_DIR = join(WEB_DIR, ".next-e2e");
const DIST_DIR = REUSE_BUILD ? ".next-e2e/reused" : `.next-e2e/run-${process.pid}`;

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

/**
 * One build per test process: every e2e file asks for it, and `bun test` runs them in one process.
 * A failed build fails every file at once instead of being tried again by each.
 */
let built: Promise<void> | null = null;

export function buildWebApp(): Promise<void> {
  built ??= runNextBuild();
  return built;
}

/** Removes this run's build (a reused one stays). */
export function removeBuild(): void {
  if (!REUSE_BUILD) rmSync(join(WEB_DIR, DIST_DIR), { recursive: true, force: true });
}

/** Builds of runs whose process is gone: a run that was killed never removed its own. */
function removeBuildsOfDeadRuns(): void {
  if (!existsSync(BUILDS_DIR)) return;
  for (const name of readdirSync(BUILDS_DIR)) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) rmSync(join(BUILDS_DIR, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function runNextBuild(): Promise<void> {
  if (REUSE_BUILD && existsSync(join(WEB_DIR, DIST_DIR, "BUILD_ID"))) return;
  removeBuildsOfDeadRuns();
  const build = spawnLogged({
    name: "next-build",
    cmd: ["bun", "--bun", "node_modules/next/dist/bin/next", "build"],
    cwd: WEB_DIR,
    logDir: LOG_DIR,
    env: { NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  const code = await build.proc.exited;
  if (code !== 0) throw new Error(`next build failed (${code}); see ${build.logFile}`);
}

/**
 * `extraEnv` sees the app's URL before anything starts (e.g. to register an OIDC redirect URI) and
 * may override any variable (budgets, the app's public URL behind a proxy).
 */
export async function startStack(
  extraEnv: (urls: { appUrl: string }) => Promise<Record<string, string>> = async () => ({}),
): Promise<Stack> {
  await Promise.all([requireMariaDb(), requireNats(), requireRedis()]);
  const database = await createTestDatabase("web");
  const launched: LoggedProcess[] = [];
  const stop = async () => {
    await Promise.all(launched.map(({ proc }) => stopProcess(proc)));
    await database.drop();
  };
  const launch = (name: string, cmd: string[], cwd: string, env: Record<string, string>) => {
    const started = spawnLogged({ name, cmd, cwd, env, logDir: LOG_DIR });
    launched.push(started);
    return started;
  };
  try {
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
      ...(await createTestAuthEnv()),
      NEXT_TELEMETRY_DISABLED: "1",
      // Fast heartbeats so an offline browser notices within seconds, as a phone would.
      HEARTBEAT_MS: "5000",
      IDLE_TIMEOUT_MS: "15000",
      // Groups of three are big groups here (one chat.dialog.<id> publish per message, sockets
      // subscribed through their token's dlg claim), so the browser tests drive that path; 1:1
      // dialogs keep the per-member path.
      BIG_GROUP_MIN_MEMBERS: "3",
      BIG_GROUP_FANOUT_GRACE_MS: "0",
    };
    Object.assign(env, await extraEnv({ appUrl }));

    const worker = launch("worker", ["bun", APP_MAIN.worker], dirname(APP_MAIN.worker), env);
    const realtime = launch("realtime", ["bun", APP_MAIN.realtime], dirname(APP_MAIN.realtime), {
      ...env,
      PORT: String(realtimePort),
      HOST: "127.0.0.1",
      METRICS_PORT: String(metricsPort),
    });
    // Under Bun, not Node: the auth package hashes passwords with Bun.password.
    const web = launch("web", ["bun", "--bun", "server.ts"], WEB_DIR, {
      ...env,
      NEXT_DIST_DIR: DIST_DIR,
      PORT: String(webPort),
      HOST: "127.0.0.1",
    });

    await waitForReady(realtime, answers(`http://127.0.0.1:${realtimePort}/ws`), 20_000);
    await waitForReady(web, async () => (await fetch(`${appUrl}/sign-in`)).ok, 60_000);
    // The worker has no port; it only has to stay up.
    await waitForReady(worker, async () => true, 1_000);
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
