import { type AppProcess, startApiProcess, startWorkerProcess } from "@parley/testkit/app-processes";
import { startGatewayProcess } from "@parley/testkit/gateway";
import { isRunning, stopProcess } from "@parley/testkit/processes";
import type { Subprocess } from "bun";

/** A process the chaos run may SIGKILL and start again. */
export type ChaosProcess = {
  name: string;
  port: number | null;
  pid: number;
  isAlive: () => boolean;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

const asChaosProcess = (name: string, port: number | null, proc: Subprocess): ChaosProcess => ({
  name,
  port,
  pid: proc.pid,
  isAlive: () => isRunning(proc),
  kill: (signal = "SIGKILL") => stopProcess(proc, signal, 5_000),
});

export type ApiLaunch = {
  port: number;
  databaseUrl: string;
  natsUrl: string;
  /** Keys and secrets, as the API's env names them (ACCESS_TOKEN_PRIVATE_KEY…), plus any knob. */
  env: Record<string, string>;
  /** The run's log folder: api.log is appended to across restarts. */
  logDir: string;
};

/**
 * The one place the API process is launched: the production server (apps/api: the tRPC router on
 * Bun.serve at /api/trpc), one process, on a fixed port so a restart comes back where it was.
 * `natsName` is how its publisher names itself to NATS (to find the node it is connected to).
 */
export async function launchApi(
  options: ApiLaunch,
): Promise<ChaosProcess & { trpcUrl: string; origin: string; natsName: string }> {
  const api = await startApiProcess({ ...options, append: true });
  return {
    ...asChaosProcess("api", api.port, api.proc),
    origin: api.url,
    trpcUrl: api.trpcUrl,
    natsName: "parley-api",
  };
}

export async function launchGateway(options: {
  id: string;
  natsUrl: string;
  publicKeyPem: string;
  env?: Record<string, string>;
}): Promise<ChaosProcess> {
  const gateway = await startGatewayProcess({
    natsUrl: options.natsUrl,
    publicKeyPem: options.publicKeyPem,
    env: { GATEWAY_ID: options.id, ...options.env },
  });
  return asChaosProcess(options.id, gateway.port, gateway.proc);
}

/** apps/worker as its own process (relay, reconciler, cleanup under the shard lease). */
export async function launchWorker(options: {
  databaseUrl: string;
  natsUrl: string;
  env: Record<string, string>;
  logDir: string;
}): Promise<ChaosProcess> {
  const worker: AppProcess = await startWorkerProcess({ ...options, append: true });
  return asChaosProcess("worker", null, worker.proc);
}
