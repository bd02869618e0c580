/**
 * Noisy neighbour: while one account floods everything it can reach within its limits (bench/noisy/
 * attacker.ts), another user's send→deliver latency (tRPC message.send → API → NATS → gateway → the
 * peer's socket) should stay within 2× its quiet value. Phases alternate quiet / noisy twice on the
 * production stack (bench/e2e/stack.ts: apps/api with its request gate and production budgets, one
 * gateway, the worker), so both phases see the same machine load.
 * Run alone: `bun noisy-neighbour.ts` (BENCH_PHASE_SECONDS, default 8; API_PROCESSES, default 1).
 */
import { join } from "node:path";
import { authenticateWithPassword, createTrpcChatApi } from "@parley/client";
import { freePort, startStack } from "./e2e/stack";
import { type Row, report, summarize } from "./lib";
import { type AttackStats, startAttacker } from "./noisy/attacker";

const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const VICTIM_RATE = 10; // messages per second, a lively conversation
const PASSWORD = "correct horse battery staple";
const stamp = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const metricsPort = await freePort();
  const stack = await startStack({
    checkout: join(import.meta.dir, ".."),
    api: "lean",
    apiProcesses: Number(process.env.API_PROCESSES ?? 1),
    logDir: join(import.meta.dir, "results", "noisy-logs"),
    keepDb: false,
    gatewayMetricsPort: metricsPort,
  });
  const api = { trpcUrl: `${stack.apiUrl}/api/trpc` };
  const gateway = { wsUrl: stack.realtimeUrl, metricsUrl: `http://127.0.0.1:${metricsPort}` };
  const tag = Date.now().toString(36).slice(-5);
  const signUp = async (handle: string) => ({
    ...(await authenticateWithPassword(api.trpcUrl, "signUp", {
      handle,
      displayName: handle,
      password: PASSWORD,
    })),
    handle,
  });
  try {
    const [victim, peer, attacker] = await Promise.all([
      signUp(`vic${tag}`),
      signUp(`peer${tag}`),
      signUp(`mal${tag}`),
    ]);
    const extras = await Promise.all(Array.from({ length: 10 }, (_, i) => signUp(`x${i}${tag}`)));
    const victimApi = createTrpcChatApi({ url: api.trpcUrl, session: victim.session });
    const { id: dialogId } = (await victimApi.client.mutation("dialog.openDirect", {
      userId: peer.userId,
    })) as {
      id: string;
    };
    const attackerApi = createTrpcChatApi({ url: api.trpcUrl, session: attacker.session });
    const { id: attackerDialog } = (await attackerApi.client.mutation("dialog.createGroup", {
      title: "noise",
      memberIds: extras.map((x) => x.userId),
    })) as { id: string };

    // The peer's socket: latency is measured where a user would see the message.
    const latencies: number[] = [];
    const peerApi = createTrpcChatApi({ url: api.trpcUrl, session: peer.session });
    const { token } = (await peerApi.client.mutation("auth.realtimeToken", undefined)) as { token: string };
    const socket = new WebSocket(`${gateway.wsUrl}?token=${token}`);
    socket.onmessage = (event) => {
      const text = String(event.data);
      const match = text.match(/"text":"lat:([\d.]+)"/);
      if (match?.[1]) latencies.push(stamp() - Number(match[1]));
    };
    await new Promise((resolve) => socket.addEventListener("message", resolve, { once: true })); // hello
    const keepAlive = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), 10_000);
    // The peer refreshes its token in-band like the engine; the phases outlast one token.
    const refresh = setInterval(async () => {
      const fresh = (await peerApi.client.mutation("auth.realtimeToken", undefined)) as { token: string };
      socket.send(JSON.stringify({ type: "auth", token: fresh.token }));
    }, 30_000);

    let clientSeq = 0;
    const sendErrors = new Set<string>();
    const victimPhase = async (): Promise<{ samples: number[]; failed: number }> => {
      latencies.length = 0;
      let failed = 0;
      const until = performance.now() + PHASE_SECONDS * 1000;
      let next = performance.now();
      // Open loop at VICTIM_RATE, but one message in flight at a time (a client's sends to one
      // dialog are ordered): a tick that finds the previous send unanswered waits for it.
      while (next < until) {
        const wait = next - performance.now();
        if (wait > 0) await Bun.sleep(wait);
        clientSeq++;
        const input = {
          dialogId,
          clientMsgId: `v-${clientSeq}`,
          clientSeq,
          content: { kind: "text" as const, text: `lat:${stamp()}` },
        };
        await victimApi.send(input).catch((error: unknown) => {
          failed++;
          clientSeq--; // never committed: the next message takes its number
          sendErrors.add(error instanceof Error ? error.message.slice(0, 200) : String(error));
        });
        next += 1000 / VICTIM_RATE;
      }
      await Bun.sleep(1_000); // the last pushes arrive
      return { samples: [...latencies], failed };
    };

    const quiet: number[] = [];
    const noisy: number[] = [];
    let failedQuiet = 0;
    let failedNoisy = 0;
    const attackTotals: AttackStats = {};
    await victimPhase(); // warm-up: JIT, pools, first subscriptions
    for (let round = 0; round < ROUNDS; round++) {
      const calm = await victimPhase();
      quiet.push(...calm.samples);
      failedQuiet += calm.failed;
      const attack = await startAttacker({
        trpcUrl: api.trpcUrl,
        wsUrl: gateway.wsUrl,
        attacker,
        password: PASSWORD,
        dialogId: attackerDialog,
        peerIds: extras.map((x) => x.userId),
        clients: 4,
        socketsPerClient: 4,
        httpLoops: 8,
      });
      await Bun.sleep(1_000); // the flood is at full strength before measuring
      const storm = await victimPhase();
      noisy.push(...storm.samples);
      failedNoisy += storm.failed;
      for (const [name, s] of Object.entries(await attack.stop())) {
        const total = attackTotals[name] ?? { ok: 0, refused: 0, failed: 0 };
        attackTotals[name] = total;
        total.ok += s.ok;
        total.refused += s.refused;
        total.failed += s.failed;
      }
      await Bun.sleep(2_000);
    }
    clearInterval(keepAlive);
    clearInterval(refresh);
    socket.close();

    const metrics = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
    const metric = (name: string) =>
      Number(metrics.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? Number.NaN);
    const q = summarize(quiet);
    const n = summarize(noisy);
    const rows: Row[] = [
      { phase: "quiet", messages: q.count, failed: failedQuiet, p50Ms: q.p50, p99Ms: q.p99, maxMs: q.max },
      {
        phase: "noisy neighbour",
        messages: n.count,
        failed: failedNoisy,
        p50Ms: n.p50,
        p99Ms: n.p99,
        maxMs: n.max,
      },
    ];
    const ratio = n.p99 / q.p99;
    console.log("\nattacker requests (ok / refused / failed):");
    for (const [name, s] of Object.entries(attackTotals))
      console.log(`  ${name}: ${s.ok} / ${s.refused} / ${s.failed}`);
    console.log(`\nnoisy p99 / quiet p99 = ${ratio.toFixed(2)} (goal ≤ 2)`);
    report("noisy-neighbour", rows, {
      p99Ratio: Math.round(ratio * 100) / 100,
      withinGoal: ratio <= 2,
      phaseSeconds: PHASE_SECONDS,
      victimRatePerSecond: VICTIM_RATE,
      attacker: { clients: 4, socketsPerClient: 4, httpLoops: 8, requests: attackTotals },
      gateway: {
        presenceLimited: metric("realtime_presence_limited_total"),
        presenceProbes: metric("realtime_presence_probes_total"),
        tooManySocketsCloses: metric("realtime_too_many_sockets_closes_total"),
        rateLimitedCloses: metric("realtime_rate_limited_closes_total"),
        badFrames: metric("realtime_bad_frames_total"),
      },
      victimSendErrors: [...sendErrors].slice(0, 5),
      loadavg: (await Bun.file("/proc/loadavg").text()).trim(),
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`noisy-neighbour bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
