import type { Subprocess } from "bun";
import { APP_MAIN } from "./apps";
import { waitForListening } from "./processes";

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

/** Spawns apps/realtime as its own process (exactly what runs in production). */
export async function startGatewayProcess(options: {
  natsUrl: string;
  publicKeyPem: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<GatewayProcess> {
  const proc = Bun.spawn(["bun", APP_MAIN.realtime], {
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

/**
 * One sample from a gateway's /metrics (its ops listener). Throws when the name is missing: a
 * renamed metric must fail the test that reads it, not compare NaN.
 */
export async function readMetric(gateway: { metricsUrl: string }, name: string): Promise<number> {
  const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
  const value = text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1];
  if (value === undefined) throw new Error(`gateway metric ${name} missing`);
  return Number(value);
}
