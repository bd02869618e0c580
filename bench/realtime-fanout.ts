/**
 * (b) Fan-out through NATS: a 1,000-member group, 2 clients per member (2,000 sockets), on two
 * gateway processes sharing one port (reusePort). Two fan-out modes on the same sockets (every token
 * lists the group in `dlg`): "member" publishes once per member to chat.user.<id> (small groups,
 * and big ones during the switch-over grace), "dialog" once per message to chat.dialog.<id> (big
 * groups: each gateway fans out locally). Deliveries = event frames the clients received.
 * CPU per delivery comes from /proc for every process in the path.
 */
import { connect } from "@nats-io/transport-node";
import { dialogSubject, userSubject } from "@parley/protocol";
import { startGatewayProcess } from "@parley/testkit/gateway";
import { startNatsServer } from "@parley/testkit/nats-server";
import { freePort } from "@parley/testkit/ports";
import { waitUntil } from "@parley/testkit/wait";
import { type Row, report } from "./lib";
import { spawnLoadgen } from "./realtime/fleet";
import { cpuMeter, cpuSplitMicros } from "./realtime/procfs";
import { benchKeys, sourceAddress, syntheticIds } from "./realtime/setup";

const MEMBERS = 1_000;
const CLIENTS_PER_MEMBER = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 150);
const GENERATORS = 2;
/** 1: every user's clients on one process (one NATS message → 2 deliveries). 2: reusePort spreads them. */
const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 2);
/** Fan-out modes measured, in this order (`BENCH_MODES=dialog` runs one). */
const MODES = (process.env.BENCH_MODES ?? "member,dialog").split(",").map((m) => m.trim());
const DIALOG_ID = "424242";
for (const mode of MODES) {
  if (mode !== "member" && mode !== "dialog") throw new Error(`BENCH_MODES: unknown mode ${mode}`);
}

function messageEvent(dialogId: string, seq: number, senderId: string): string {
  return JSON.stringify({
    type: "message",
    dialogId,
    prevSeq: seq - 1,
    seq,
    message: {
      id: String(9_000_000_000 + seq),
      dialogId,
      seq,
      senderId,
      senderClientId: "77",
      clientMsgId: `bench-${seq}`,
      clientSeq: seq,
      content: { kind: "text", text: `fan-out message number ${seq} with a typical short chat text` },
      createdAt: Date.now(),
    },
  });
}

async function main(): Promise<void> {
  const keys = await benchKeys();
  const nats = await startNatsServer();
  const port = await freePort();
  // Two processes on the same port: reusePort lets the kernel spread connections over them.
  const gatewayEnv = { HOST: "0.0.0.0", TOKEN_SKEW_MS: "600000", IDLE_TIMEOUT_MS: "600000" };
  const gateways = [];
  for (let g = 0; g < GATEWAYS; g++) {
    gateways.push(
      await startGatewayProcess({
        natsUrl: nats.url,
        publicKeyPem: keys.publicKeyPem,
        port,
        env: { ...gatewayEnv, GATEWAY_ID: `fan${g + 1}` },
      }),
    );
  }
  const members = syntheticIds(MEMBERS);
  const clientIds = syntheticIds(
    MEMBERS * CLIENTS_PER_MEMBER,
    BigInt(Date.now()) * 1_000_000n + 700_000_000n,
  );
  const identities: [string, string][] = clientIds.map((clientId, i) => [
    members[i % MEMBERS] ?? "",
    clientId,
  ]);
  const per = Math.ceil(identities.length / GENERATORS);
  const generators = Array.from({ length: GENERATORS }, (_, g) =>
    spawnLoadgen({
      mode: "count",
      host: "127.0.0.1",
      port,
      localAddress: sourceAddress(g),
      privateKeyPem: keys.privateKeyPem,
      identities: identities.slice(g * per, (g + 1) * per),
      concurrency: 64,
      dialogIds: [DIALOG_ID],
    }),
  );
  const nc = await connect({ servers: nats.url, name: "bench-publisher" });
  try {
    const ready = await Promise.all(generators.map((g) => g.ready));
    const sockets = ready.reduce((sum, s) => sum + s.opened, 0);
    if (sockets !== identities.length)
      throw new Error(`only ${sockets} of ${identities.length} sockets opened`);
    const spread = await Promise.all(
      gateways.map(async (g) =>
        Number(
          (await (await fetch(`${g.metricsUrl}/metrics`)).text()).match(/^realtime_sockets (\d+)/m)?.[1],
        ),
      ),
    );
    await Bun.sleep(500);
    const received = () => generators.reduce((sum, g) => sum + g.stats.events, 0);
    const rows: Row[] = [];
    const runs = MODES.flatMap((mode) => [
      { mode, label: "warm-up", rounds: 20 },
      { mode, label: "measured", rounds: ROUNDS },
    ]);
    let seq = 0;
    for (const { mode, label, rounds } of runs) {
      const subjects = mode === "dialog" ? [dialogSubject(DIALOG_ID)] : members.map(userSubject);
      const base = received();
      const expected = rounds * MEMBERS * CLIENTS_PER_MEMBER;
      const meter = cpuMeter({
        ...Object.fromEntries(gateways.map((g, i) => [`gateway${i + 1}`, g.proc.pid])),
        nats: nats.proc.pid,
        loadgen1: generators[0]?.proc.pid ?? 0,
        loadgen2: generators[1]?.proc.pid ?? 0,
      });
      const gatewaySplit = gateways.map((g) => cpuSplitMicros(g.proc.pid));
      const publisherCpu = process.cpuUsage();
      const started = performance.now();
      for (let round = 1; round <= rounds; round++) {
        const payload = messageEvent(DIALOG_ID, ++seq, members[0] ?? "1");
        for (const subject of subjects) nc.publish(subject, payload);
        // Keep the publisher from racing ahead of the gateways: that would measure NATS buffering.
        if (round % 5 === 0) await nc.flush();
      }
      await nc.flush();
      const publishedAt = performance.now();
      let last = received();
      let lastChange = performance.now();
      await waitUntil(
        () => {
          const now = received();
          if (now !== last) {
            last = now;
            lastChange = performance.now();
          }
          return now - base >= expected || performance.now() - lastChange > 3_000;
        },
        "deliveries",
        { timeoutMs: 120_000, intervalMs: 20 },
      );
      const seconds = (lastChange - started) / 1000;
      const delivered = received() - base;
      const cpu = meter();
      const publisherUs = (() => {
        const used = process.cpuUsage(publisherCpu);
        return used.user + used.system;
      })();
      const gatewayUs = gateways.reduce((sum, _g, i) => sum + (cpu[`gateway${i + 1}`] ?? 0), 0);
      const gatewayUserUs = gateways.reduce(
        (sum, g, i) => sum + cpuSplitMicros(g.proc.pid).user - (gatewaySplit[i]?.user ?? 0),
        0,
      );
      if (label === "warm-up") continue;
      rows.push({
        fanout: mode,
        gateways: GATEWAYS,
        messages: rounds,
        "NATS publishes": rounds * subjects.length,
        deliveries: delivered,
        lost: expected - delivered,
        seconds: Math.round(seconds * 1000) / 1000,
        "publish s": Math.round(((publishedAt - started) / 1000) * 1000) / 1000,
        "deliveries/s": Math.round(delivered / seconds),
        "gateway µs CPU/delivery": gatewayUs / delivered,
        "of which user": gatewayUserUs / delivered,
        "nats-server µs CPU/delivery": (cpu.nats ?? 0) / delivered,
        "publisher µs CPU/delivery": publisherUs / delivered,
        "loadgen µs CPU/delivery": ((cpu.loadgen1 ?? 0) + (cpu.loadgen2 ?? 0)) / delivered,
      });
    }
    const metrics = await Promise.all(
      gateways.map(async (g) => (await fetch(`${g.metricsUrl}/metrics`)).text()),
    );
    const counter = (text: string, name: string) =>
      Number(text.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? 0);
    report("realtime-fanout", rows, {
      members: MEMBERS,
      clientsPerMember: CLIENTS_PER_MEMBER,
      socketsPerGateway: spread,
      gatewayDrops: metrics.map((m) => counter(m, "realtime_drops_total")),
      gatewaySlowConsumerCloses: metrics.map((m) => counter(m, "realtime_slow_consumer_closes_total")),
      note: "2 cores shared by every process in the path; CPU from /proc/<pid>/stat (10 ms ticks)",
    });
  } finally {
    await nc.close();
    await Promise.all(generators.map((g) => g.stop()));
    await Promise.all(gateways.map((g) => g.kill(process.env.BENCH_KILL === "TERM" ? "SIGTERM" : "SIGKILL")));
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`realtime-fanout bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
