import { existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_MAIN } from "./apps";
import { freePort } from "./ports";
import { type LoggedProcess, spawnLogged, stopProcess, waitForReady } from "./processes";
import { TEST_REDIS_URL } from "./services";

/** One of our apps started for a test, bench or chaos run; `kill` waits for it to be gone. */
export type AppProcess = LoggedProcess & { kill: (signal?: NodeJS.Signals) => Promise<void> };

export type ApiProcess = AppProcess & { port: number; url: string; trpcUrl: string };

export type AppLaunch = {
  databaseUrl: string;
  natsUrl: string;
  /** The keys and secrets (as the apps' env names them, e.g. createTestAuthEnv) and any knob. */
  env: Record<string, string>;
  /** Where `<name>.log` goes (default: a folder of this process under the system's tmp). */
  logDir?: string;
  /** Append to the log: the same process started again (a chaos restart). */
  append?: boolean;
};

const DEFAULT_LOG_DIR = join(tmpdir(), `parley-test-logs-${process.pid}`);

function launch(name: string, main: string, options: AppLaunch, env: Record<string, string> = {}) {
  const launched = spawnLogged({
    name,
    cmd: ["bun", main],
    logDir: options.logDir ?? DEFAULT_LOG_DIR,
    append: options.append,
    env: {
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      REDIS_URL: TEST_REDIS_URL,
      ...env,
      ...options.env,
    },
  });
  return { ...launched, kill: (signal: NodeJS.Signals = "SIGTERM") => stopProcess(launched.proc, signal) };
}

/**
 * The production API server (apps/api: the tRPC router on Bun.serve at /api/trpc), one process on
 * `port` (default: a free one), ready once /healthz answers.
 */
export async function startApiProcess(options: AppLaunch & { port?: number }): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const api = launch("api", APP_MAIN.api, options, {
    PORT: String(port),
    HOST: "127.0.0.1",
    API_PROCESSES: "1",
  });
  try {
    await waitForReady(api, async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  } catch (error) {
    await api.kill("SIGKILL");
    throw error;
  }
  return { ...api, port, url, trpcUrl: `${url}/api/trpc` };
}

/** apps/worker (outbox relay, reconciler, cleanup under the shard lease), ready once it serves its shards. */
export async function startWorkerProcess(options: AppLaunch): Promise<AppProcess> {
  const logFile = join(options.logDir ?? DEFAULT_LOG_DIR, "worker.log");
  // Appending after a restart: only what this process writes counts.
  const offset = options.append && existsSync(logFile) ? statSync(logFile).size : 0;
  const worker = launch("worker", APP_MAIN.worker, options);
  const isServing = async () => /serving shards/.test((await Bun.file(worker.logFile).text()).slice(offset));
  try {
    await waitForReady(worker, isServing, 20_000);
  } catch (error) {
    await worker.kill("SIGKILL");
    throw error;
  }
  return worker;
}
