import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
const REALTIME_MAIN = join(import.meta.dir, "..", "main.ts");

/** A port the kernel just handed out (closed again): good enough for processes we start ourselves. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const socket = await Bun.connect({ hostname: host, port, socket: { data() {} } });
      socket.end();
      return;
    } catch {
      await Bun.sleep(50);
    }
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

export type NatsProcess = {
  port: number;
  /** HTTP monitoring (connz, subsz) when started with `monitor: true`. */
  monitorUrl: string | null;
  clusterPort: number | null;
  url: string;
  proc: Subprocess;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
  restart: () => Promise<void>;
};

/**
 * Our own nats-server (never the shared one on 4222): tests kill and restart it. For a cluster pass
 * `clusterPort` and `routes` (nats-route://127.0.0.1:<port> of the other nodes).
 */
export async function startNatsServer(
  options: { port?: number; clusterPort?: number; routes?: string[]; name?: string; monitor?: boolean } = {},
): Promise<NatsProcess> {
  const port = options.port ?? (await freePort());
  const monitorPort = options.monitor ? await freePort() : null;
  const clusterPort = options.clusterPort ?? null;
  const dir = mkdtempSync(join(tmpdir(), "parley-nats-"));
  const args = [NATS_SERVER_BIN, "-a", "127.0.0.1", "-p", String(port), "-l", join(dir, "nats.log")];
  if (options.name) args.push("-n", options.name);
  if (monitorPort !== null) args.push("-m", String(monitorPort));
  if (clusterPort !== null) {
    args.push("--cluster_name", "parley-test", "--cluster", `nats://127.0.0.1:${clusterPort}`);
    if (options.routes && options.routes.length > 0) args.push("--routes", options.routes.join(","));
  }
  const spawn = () => Bun.spawn(args, { stdout: "ignore", stderr: "ignore" });
  const handle: NatsProcess = {
    port,
    clusterPort,
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: monitorPort === null ? null : `http://127.0.0.1:${monitorPort}`,
    proc: spawn(),
    async stop(signal = "SIGKILL") {
      if (handle.proc.exitCode === null && handle.proc.signalCode === null) {
        handle.proc.kill(signal);
        await handle.proc.exited;
      }
    },
    async restart() {
      await handle.stop();
      handle.proc = spawn();
      await waitForPort(port);
    },
  };
  try {
    await waitForPort(port);
  } catch (error) {
    await handle.stop();
    throw new Error(`nats-server (${NATS_SERVER_BIN}) did not start on ${port}: ${String(error)}`);
  }
  process.once("exit", () => {
    handle.proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

export type GatewayProcess = {
  port: number;
  url: string;
  /** The ops listener: /metrics and the detailed /healthz (not served on the public port). */
  metricsUrl: string;
  wsUrl: string;
  proc: Subprocess;
  output: () => string;
  kill: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/**
 * Resolves with the port a spawned process reports in its `{"event":"listening","port":N}` log line
 * (both ours print it), or rejects with everything it printed when it exits or times out first.
 */
export async function waitForListening(
  proc: Subprocess,
  name: string,
  timeoutMs: number,
): Promise<{ port: number; output: () => string }> {
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${output}`)), timeoutMs);
    const read = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        output += decoder.decode(value);
        const match = output.match(/"event":"listening","port":(\d+)/);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    };
    void read(proc.stdout as ReadableStream<Uint8Array>);
    void read(proc.stderr as ReadableStream<Uint8Array>);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${output}`));
    });
  });
  return { port, output: () => output };
}

/** Spawns apps/realtime as its own process (exactly what runs in production). */
export async function startGatewayProcess(options: {
  natsUrl: string;
  publicKeyPem: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<GatewayProcess> {
  const proc = Bun.spawn(["bun", REALTIME_MAIN], {
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: "127.0.0.1",
      NATS_URL: options.natsUrl,
      REALTIME_TOKEN_PUBLIC_KEY: options.publicKeyPem,
      // Several gateways per test: each takes a free ops port of its own.
      METRICS_PORT: "0",
      ...options.env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const { port, output } = await waitForListening(proc, "gateway", 15_000);
  const metricsPort = output().match(/"metricsPort":(\d+)/)?.[1];
  if (!metricsPort) throw new Error(`gateway did not report its metrics port: ${output()}`);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    proc,
    output,
    async kill(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return proc.exited;
    },
  };
}
