import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort, waitForPort } from "./ports";

const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

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
