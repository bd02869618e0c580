import { openSync } from "node:fs";
import { TEST_REDIS_URL } from "@parley/testkit";
import { startGatewayProcess } from "@parley/testkit/gateway";
import type { Subprocess } from "bun";

/** A process the chaos run may SIGKILL and start again. */
export type ChaosProcess = {
  name: string;
  port: number | null;
  pid: number;
  isAlive: () => boolean;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

const alive = (proc: Subprocess) => proc.exitCode === null && proc.signalCode === null;

async function killProc(proc: Subprocess, signal: NodeJS.Signals): Promise<void> {
  if (!alive(proc)) return;
  proc.kill(signal);
  const exited = await Promise.race([proc.exited, Bun.sleep(5_000).then(() => null)]);
  if (exited === null) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

export type ApiLaunch = {
  port: number;
  databaseUrl: string;
  natsUrl: string;
  /** Keys and secrets, as the API's env names them (ACCESS_TOKEN_PRIVATE_KEY…), plus any knob. */
  env: Record<string, string>;
  logFile: string;
};

const API_MAIN = Bun.resolveSync("@parley/api-server", import.meta.dir);

/**
 * The one place the API process is launched: the production server (apps/api: the tRPC router on
 * Bun.serve at /api/trpc), one process, on a fixed port so a restart comes back where it was.
 * `natsName` is how its publisher names itself to NATS (to find the node it is connected to).
 */
export async function launchApi(
  options: ApiLaunch,
): Promise<ChaosProcess & { trpcUrl: string; origin: string; natsName: string }> {
  const origin = `http://127.0.0.1:${options.port}`;
  const logFd = openSync(options.logFile, "a");
  const proc = Bun.spawn(["bun", API_MAIN], {
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: "127.0.0.1",
      API_PROCESSES: "1",
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      REDIS_URL: TEST_REDIS_URL,
      ...options.env,
    },
    stdout: logFd,
    stderr: logFd,
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await fetch(`${origin}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (up) break;
    if (!alive(proc)) throw new Error(`the API exited (${proc.exitCode}); see ${options.logFile}`);
    if (Date.now() > deadline) throw new Error(`the API did not answer in 20 s; see ${options.logFile}`);
    await Bun.sleep(100);
  }
  return {
    name: "api",
    origin,
    trpcUrl: `${origin}/api/trpc`,
    port: options.port,
    pid: proc.pid,
    natsName: "parley-api",
    isAlive: () => alive(proc),
    kill: (signal = "SIGKILL") => killProc(proc, signal),
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
  return {
    name: options.id,
    port: gateway.port,
    pid: gateway.proc.pid,
    isAlive: () => alive(gateway.proc),
    kill: async (signal = "SIGKILL") => {
      await killProc(gateway.proc, signal);
    },
  };
}

const WORKER_MAIN = Bun.resolveSync("@parley/worker", import.meta.dir);

/** apps/worker as its own process (relay, reconciler, cleanup under the shard lease). */
export async function launchWorker(options: {
  databaseUrl: string;
  natsUrl: string;
  env: Record<string, string>;
}): Promise<ChaosProcess> {
  const proc = Bun.spawn(["bun", WORKER_MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      REDIS_URL: TEST_REDIS_URL,
      ...options.env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  await waitForLine(proc, /serving shards/, "worker", 20_000);
  return {
    name: "worker",
    port: null,
    pid: proc.pid,
    isAlive: () => alive(proc),
    kill: (signal = "SIGKILL") => killProc(proc, signal),
  };
}

/** Resolves when the process prints a line matching `pattern`; keeps draining its output after. */
async function waitForLine(
  proc: Subprocess,
  pattern: RegExp,
  name: string,
  timeoutMs: number,
): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`${name} did not start in ${timeoutMs} ms: ${output.slice(-2_000)}`));
    }, timeoutMs);
    const read = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) return;
        if (done) continue;
        output = (output + decoder.decode(value)).slice(-8_000);
        if (pattern.test(output)) {
          done = true;
          clearTimeout(timer);
          resolve();
        }
      }
    };
    void read(proc.stdout as ReadableStream<Uint8Array>);
    void read(proc.stderr as ReadableStream<Uint8Array>);
    void proc.exited.then((code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${output.slice(-2_000)}`));
    });
  });
}
