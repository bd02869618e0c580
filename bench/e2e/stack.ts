/**
 * The production stack of one checkout, started the way it is deployed: the API (Next production
 * server, or the lean Bun.serve API), one realtime gateway and the worker, on a fresh database
 * migrated by the checkout's own migrations, against the machine's MariaDB, NATS and Redis.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createTestAuthEnv } from "@parley/auth/testing";
import {
  requireMariaDb,
  requireNats,
  requireRedis,
  TEST_DATABASE_URL,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "@parley/testkit";
import { freePort } from "@parley/testkit/ports";
import {
  answers,
  type LoggedProcess,
  spawnLogged as spawnLoggedIn,
  stopProcess,
  waitForReady,
} from "@parley/testkit/processes";
import mysql from "mysql2/promise";
import { NEXT_DIST_DIR } from "./build";

export type ApiMode = "next" | "lean";

export type Stack = {
  apiUrl: string;
  realtimeUrl: string;
  databaseUrl: string;
  /** Root pids: the API's (its children count too), the gateway's and the worker's. */
  pids: { api: number; gateway: number; worker: number };
  stop: () => Promise<void>;
};

export { freePort };

/** Bench processes start from the checkout being measured (its apps), logging to the run's folder. */
function spawnLogged(
  logDir: string,
  name: string,
  cmd: string[],
  cwd: string,
  env: Record<string, string>,
): LoggedProcess {
  return spawnLoggedIn({ name, cmd, cwd, env, logDir });
}

/** Next production server: `next start` of the build in NEXT_DIST_DIR (build it first). */
function launchNextApi(
  checkout: string,
  port: number,
  env: Record<string, string>,
  logDir: string,
): LoggedProcess {
  return spawnLogged(
    logDir,
    "api-next",
    // Under Bun, not Node: the auth package hashes passwords with Bun.password.
    [
      "bun",
      "--bun",
      "node_modules/next/dist/bin/next",
      "start",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
    ],
    join(checkout, "apps", "web"),
    { ...env, NEXT_DIST_DIR },
  );
}

/** The lean API: the same tRPC router on Bun.serve, API_PROCESSES processes sharing the port. */
function launchLeanApi(
  checkout: string,
  port: number,
  processes: number,
  env: Record<string, string>,
  logDir: string,
): LoggedProcess {
  const main = join(checkout, "apps", "api", "src", "main.ts");
  if (!existsSync(main)) throw new Error(`--api lean needs ${main} (not in this checkout)`);
  return spawnLogged(logDir, "api-lean", ["bun", "src/main.ts"], join(checkout, "apps", "api"), {
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    API_PROCESSES: String(processes),
  });
}

/** A fresh database, migrated by the checkout's own migrate CLI (an older commit has older migrations). */
async function createMigratedDatabase(checkout: string, logDir: string): Promise<string> {
  const name = `parley_e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const migrate = spawnLogged(
    logDir,
    "migrate",
    ["bun", "src/migrate-cli.ts"],
    join(checkout, "packages", "db"),
    {
      DATABASE_URL: url.toString(),
    },
  );
  const code = await migrate.proc.exited;
  if (code !== 0) throw new Error(`migrations failed (${code}); see ${logDir}/migrate.log`);
  return url.toString();
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = await mysql.createConnection({ uri: TEST_DATABASE_URL });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.end();
  }
}

export async function startStack(options: {
  checkout: string;
  api: ApiMode;
  apiProcesses: number;
  logDir: string;
  keepDb: boolean;
  /** The gateway's metrics port (0 = any, unreported). */
  gatewayMetricsPort?: number;
  /** Added to every process's environment (e.g. production budgets a bench keeps). */
  env?: Record<string, string>;
}): Promise<Stack> {
  const { checkout, logDir } = options;
  await requireMariaDb();
  await requireNats();
  await requireRedis();
  mkdirSync(logDir, { recursive: true });
  const databaseUrl = await createMigratedDatabase(checkout, logDir);
  const launched: LoggedProcess[] = [];
  const stop = async () => {
    await Promise.all(launched.map(({ proc }) => stopProcess(proc, "SIGTERM", 5_000)));
    if (!options.keepDb) await dropDatabase(databaseUrl);
  };
  try {
    const [apiPort, realtimePort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const realtimeUrl = `ws://127.0.0.1:${realtimePort}/ws`;
    const env: Record<string, string> = {
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      NATS_URL: TEST_NATS_URL,
      REDIS_URL: TEST_REDIS_URL,
      APP_URL: apiUrl,
      REALTIME_URL: realtimeUrl,
      // Fresh keys; sign-ups lifted (every user signs up from 127.0.0.1 against the shared Redis).
      ...(await createTestAuthEnv()),
      NEXT_TELEMETRY_DISABLED: "1",
      // A group of BIG_GROUP_MIN_MEMBERS or more is measured in its steady state (one publish on the
      // dialog subject), not in the first 90 s after it was created. API and worker must agree.
      BIG_GROUP_FANOUT_GRACE_MS: "0",
      ...options.env,
    };
    const api =
      options.api === "next"
        ? launchNextApi(checkout, apiPort, env, logDir)
        : launchLeanApi(checkout, apiPort, options.apiProcesses, env, logDir);
    launched.push(api);
    const gateway = spawnLogged(
      logDir,
      "gateway",
      ["bun", "src/main.ts"],
      join(checkout, "apps", "realtime"),
      {
        ...env,
        PORT: String(realtimePort),
        HOST: "127.0.0.1",
        GATEWAY_ID: "e2e1",
        // Its metrics port is its own (never the default 9464 a dev gateway may hold).
        METRICS_PORT: String(options.gatewayMetricsPort ?? 0),
      },
    );
    launched.push(gateway);
    const worker = spawnLogged(
      logDir,
      "worker",
      ["bun", "src/main.ts"],
      join(checkout, "apps", "worker"),
      env,
    );
    launched.push(worker);
    // Any HTTP answer means it listens (tRPC answers an unknown GET with a JSON error).
    await waitForReady(gateway, answers(`http://127.0.0.1:${realtimePort}/ws`), 20_000);
    await waitForReady(api, answers(`${apiUrl}/api/trpc/health`), 60_000);
    // The worker has no port; it only has to stay up.
    await waitForReady(worker, async () => true, 1_000);
    return {
      apiUrl,
      realtimeUrl,
      databaseUrl,
      pids: { api: api.proc.pid, gateway: gateway.proc.pid, worker: worker.proc.pid },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
