/**
 * (a) Sockets one gateway process holds, up to 19k (the per-process open-file cap is 20k), and its
 * resident memory per socket. Every socket is a distinct user, so each also costs a NATS
 * subscription (the worst case). Load generators: 4 processes on 127.0.0.2-5.
 */

import { startGatewayProcess } from "@parley/testkit/gateway";
import { startNatsServer } from "@parley/testkit/nats-server";
import { type Row, report } from "./lib";
import { spawnLoadgen } from "./realtime/fleet";
import { cpuMicros, rssBytes } from "./realtime/procfs";
import { benchKeys, sourceAddress, syntheticIds } from "./realtime/setup";

const TOTAL = Number(process.env.BENCH_SOCKETS ?? 19_000);
const GENERATORS = 4;

async function main(): Promise<void> {
  const keys = await benchKeys();
  const nats = await startNatsServer();
  const gateway = await startGatewayProcess({
    natsUrl: nats.url,
    publicKeyPem: keys.publicKeyPem,
    env: { HOST: "0.0.0.0", TOKEN_SKEW_MS: "600000", IDLE_TIMEOUT_MS: "600000", HEARTBEAT_MS: "300000" },
  });
  const pid = gateway.proc.pid;
  const rows: Row[] = [];
  const generators: ReturnType<typeof spawnLoadgen>[] = [];
  try {
    await Bun.sleep(500);
    const baseline = rssBytes(pid);
    rows.push({
      sockets: 0,
      "RSS MB": baseline / 2 ** 20,
      "KB/socket": null,
      "KB/socket (this step)": null,
      "gateway CPU ms": cpuMicros(pid) / 1000,
    });
    const users = syntheticIds(TOTAL);
    const clients = syntheticIds(TOTAL, BigInt(Date.now()) * 1_000_000n + 500_000_000n);
    const per = Math.ceil(TOTAL / GENERATORS);
    let held = 0;
    let previousRss = baseline;
    for (let g = 0; g < GENERATORS; g++) {
      const slice = users
        .slice(g * per, (g + 1) * per)
        .map((u, i): [string, string] => [u, clients[g * per + i] ?? u]);
      const cpuBefore = cpuMicros(pid);
      const started = performance.now();
      const generator = spawnLoadgen({
        mode: "hold",
        host: "127.0.0.1",
        port: gateway.port,
        localAddress: sourceAddress(g),
        privateKeyPem: keys.privateKeyPem,
        identities: slice,
        concurrency: 128,
        ttlSeconds: 60,
      });
      generators.push(generator);
      const stats = await generator.ready;
      const seconds = (performance.now() - started) / 1000;
      held += stats.opened;
      await Bun.sleep(1_000);
      const rss = rssBytes(pid);
      const stepRss = previousRss;
      previousRss = rss;
      rows.push({
        sockets: held,
        "RSS MB": rss / 2 ** 20,
        "KB/socket": (rss - baseline) / held / 1024,
        "KB/socket (this step)": (rss - stepRss) / Math.max(1, stats.opened) / 1024,
        "gateway CPU ms": cpuMicros(pid) / 1000,
        "connects/s": stats.opened / seconds,
        "µs CPU/connect": (cpuMicros(pid) - cpuBefore) / Math.max(1, stats.opened),
        failed: stats.failed,
        source: sourceAddress(g),
      });
    }
    const heapBeforeGc = await heapUsedMb(gateway.metricsUrl);
    // RSS also holds garbage not yet collected: force a full GC in the gateway (SIGUSR2) and read
    // it again, so the per-socket figure is shown both ways.
    process.kill(pid, "SIGUSR2");
    await Bun.sleep(1_000);
    const rssAfterGc = rssBytes(pid);
    rows.push({
      sockets: `${held} after GC`,
      "RSS MB": rssAfterGc / 2 ** 20,
      "KB/socket": (rssAfterGc - baseline) / held / 1024,
      "KB/socket (this step)": null,
      "gateway CPU ms": cpuMicros(pid) / 1000,
    });
    const metrics = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
    const gauge = (name: string) =>
      Number(metrics.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? Number.NaN);
    const generatorCpuMs = generators.reduce((sum, g) => sum + g.stats.cpuUs, 0) / 1000;
    report("realtime-sockets", rows, {
      target: TOTAL,
      gatewaySocketsGauge: gauge("realtime_sockets"),
      gatewayNatsSubscriptions: gauge("realtime_nats_subscriptions"),
      gatewayHeapUsedMb: heapBeforeGc,
      gatewayHeapUsedMbAfterGc: gauge("process_heap_used_bytes") / 2 ** 20,
      generatorProcesses: GENERATORS,
      generatorCpuMsTotal: generatorCpuMs,
      note: "RSS per socket = (RSS − idle RSS) / sockets; includes Bun's per-socket buffers and one NATS subscription per socket (distinct users)",
    });
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await gateway.kill("SIGKILL");
    await nats.stop();
  }
}

async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(/^process_heap_used_bytes (\S+)/m)?.[1] ?? Number.NaN) / 2 ** 20;
}

main().catch((error: unknown) => {
  console.error(`realtime-sockets bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
