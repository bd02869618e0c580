/**
 * (c) send→deliver latency through the whole path: tRPC message.send over HTTP → the API's TCC send
 * path on MariaDB → NATS → gateway → socket. First the maximum send rate (closed loop), then
 * latency at half of it (open loop), for 1:1 dialogs and a 100-member group. Latency is measured at
 * the recipients' sockets from a stamp taken just before the HTTP call. CPU per delivery from /proc
 * for every process in the path.
 */
import { createTestAuthEnv } from "@parley/auth/testing";
import { ApiError, authenticateWithPassword, createTrpcChatApi, type SignedInClient } from "@parley/client";
import { schema } from "@parley/db";
import { createTestDatabase } from "@parley/testkit";
import { startApiProcess } from "@parley/testkit/app-processes";
import { startGatewayProcess } from "@parley/testkit/gateway";
import { startNatsServer } from "@parley/testkit/nats-server";
import { freePort } from "@parley/testkit/ports";
import { type Row, report, summarize } from "./lib";
import { type Loadgen, spawnLoadgen } from "./realtime/fleet";
import { cpuMeter } from "./realtime/procfs";
import { sourceAddress, syntheticIds } from "./realtime/setup";

const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 5);
const HALF_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? 8);
const PASSWORD = "correct horse battery staple";

type Sender = {
  client: SignedInClient;
  api: ReturnType<typeof createTrpcChatApi>;
  dialogId: string;
  clientSeq: number;
};

const stamp = () => performance.timeOrigin + performance.now();

/** One message, retried with the same clientMsgId while the API says "busy" (as the engine does). */
async function sendOne(sender: Sender, text: string): Promise<void> {
  sender.clientSeq++;
  const input = {
    dialogId: sender.dialogId,
    clientMsgId: `b${sender.client.clientId}-${sender.clientSeq}`,
    clientSeq: sender.clientSeq,
    content: { kind: "text" as const, text },
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await sender.api.send(input);
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable || attempt > 20) throw error;
      retries++;
      await Bun.sleep(2 + Math.random() * 5 * (attempt + 1));
    }
  }
}

let retries = 0;
/** message.send round trips (HTTP + the API's DB work) during the half-load phase. */
let ackSamples: number[] = [];

/** Every sender sends back to back for `seconds`: the maximum the path sustains. */
async function closedLoop(senders: Sender[], seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let sent = 0;
  await Promise.all(
    senders.map(async (sender) => {
      while (performance.now() < until) {
        await sendOne(sender, `warm ${sent}`);
        sent++;
      }
    }),
  );
  return sent / seconds;
}

/** Open loop at `rate` sends/s over all senders (each sender waits for its previous ack). */
async function openLoop(senders: Sender[], rate: number, seconds: number): Promise<number> {
  const interval = (senders.length / rate) * 1000;
  const until = performance.now() + seconds * 1000;
  let sent = 0;
  await Promise.all(
    senders.map(async (sender, index) => {
      let next = performance.now() + (interval * index) / senders.length;
      while (next < until) {
        const wait = next - performance.now();
        if (wait > 0) await Bun.sleep(wait);
        const started = stamp();
        await sendOne(sender, `lat:${started}`);
        ackSamples.push(stamp() - started);
        sent++;
        next += interval;
      }
    }),
  );
  return sent;
}

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const testDb = await createTestDatabase("benchlat");
  const authEnv = await createTestAuthEnv();
  // The production API server with the send and read budgets lifted: the bench measures the path at
  // its maximum rate, not the limits.
  const api = await startApiProcess({
    databaseUrl: testDb.url,
    natsUrl: nats.url,
    env: {
      ...authEnv,
      READ_RATE_LIMIT_MAX: "1000000",
      READ_RATE_LIMIT_USER_MAX: "1000000",
      SEND_RATE_LIMIT_MAX: "1000000",
      SEND_RATE_LIMIT_USER_MAX: "1000000",
      // group-100 measures per-member fan-out. At the default threshold (100) the group is big from
      // its creation and reaches only sockets whose token lists it, and the load generator's tokens
      // list no groups: nothing arrived. The big-group path is realtime-fanout's "dialog" row.
      BIG_GROUP_MIN_MEMBERS: "1000",
    },
  });
  const port = await freePort();
  const gatewayEnv = { HOST: "0.0.0.0", TOKEN_SKEW_MS: "600000", IDLE_TIMEOUT_MS: "600000" };
  const gateways = [
    await startGatewayProcess({
      natsUrl: nats.url,
      publicKeyPem: authEnv.REALTIME_TOKEN_PUBLIC_KEY,
      port,
      env: { ...gatewayEnv, GATEWAY_ID: "lat1" },
    }),
    await startGatewayProcess({
      natsUrl: nats.url,
      publicKeyPem: authEnv.REALTIME_TOKEN_PUBLIC_KEY,
      port,
      env: { ...gatewayEnv, GATEWAY_ID: "lat2" },
    }),
  ];
  const loadgens: Loadgen[] = [];
  const rows: Row[] = [];
  const tag = Date.now().toString(36).slice(-5);
  const signUp = async (handle: string): Promise<SignedInClient> =>
    authenticateWithPassword(api.trpcUrl, "signUp", { handle, displayName: handle, password: PASSWORD });
  /** Recipients only hold sockets: rows in `users` are all the API needs to add them to dialogs. */
  const insertUsers = async (count: number): Promise<string[]> => {
    const ids = syntheticIds(
      count,
      BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6)) * 1000n,
    );
    await testDb.db.insert(schema.users).values(
      ids.map((id) => ({
        id,
        handle: `r${id.slice(-12)}`,
        displayName: "recipient",
        createdAt: new Date(),
      })),
    );
    return ids;
  };
  const mariadbPid = Number((await Bun.$`pidof mariadbd`.quiet().nothrow().text()).trim().split(" ")[0] ?? 0);

  try {
    const scenarios: {
      name: string;
      setup: () => Promise<{ senders: Sender[]; recipients: string[]; perMessage: number }>;
    }[] = [
      {
        name: "1:1",
        async setup() {
          const pairs = 10;
          const recipients = await insertUsers(pairs);
          const senders: Sender[] = [];
          for (let i = 0; i < pairs; i++) {
            const client = await signUp(`s${tag}${i}`);
            const trpc = createTrpcChatApi({ url: api.trpcUrl, session: client.session });
            const view = (await trpc.client.mutation("dialog.openDirect", { userId: recipients[i] })) as {
              id: string;
            };
            senders.push({ client, api: trpc, dialogId: view.id, clientSeq: 0 });
          }
          return { senders, recipients, perMessage: 1 };
        },
      },
      {
        name: "group-100",
        async setup() {
          const senderCount = 4;
          const recipients = await insertUsers(100 - senderCount);
          const clients: SignedInClient[] = [];
          for (let i = 0; i < senderCount; i++) clients.push(await signUp(`g${tag}${i}`));
          const owner = createTrpcChatApi({ url: api.trpcUrl, session: clients[0]?.session });
          const view = (await owner.client.mutation("dialog.createGroup", {
            title: "bench",
            memberIds: [...recipients, ...clients.slice(1).map((c) => c.userId)],
          })) as { id: string };
          const senders = clients.map((client) => ({
            client,
            api: createTrpcChatApi({ url: api.trpcUrl, session: client.session }),
            dialogId: view.id,
            clientSeq: 0,
          }));
          return { senders, recipients, perMessage: recipients.length };
        },
      },
    ];

    for (const [index, scenario] of scenarios.entries()) {
      const { senders, recipients, perMessage } = await scenario.setup();
      const clientIds = syntheticIds(
        recipients.length,
        BigInt(Date.now()) * 1_000_000n + 900_000_000n + BigInt(index) * 1000n,
      );
      const loadgen = spawnLoadgen({
        mode: "latency",
        host: "127.0.0.1",
        port,
        localAddress: sourceAddress(index),
        privateKeyPem: authEnv.REALTIME_TOKEN_PRIVATE_KEY,
        identities: recipients.map((r, i): [string, string] => [r, clientIds[i] ?? r]),
        concurrency: 32,
      });
      loadgens.push(loadgen);
      const opened = await loadgen.ready;
      if (opened.opened !== recipients.length) {
        throw new Error(
          `${scenario.name}: ${opened.opened}/${recipients.length} sockets (${JSON.stringify(opened.closeCodes)})`,
        );
      }
      await closedLoop(senders, 1); // warm the JIT, pools and caches
      const maxRate = await closedLoop(senders, MAX_SECONDS);
      const halfRate = maxRate / 2;
      const meter = cpuMeter({
        api: api.proc.pid,
        nats: nats.proc.pid,
        gateway1: gateways[0]?.proc.pid ?? 0,
        gateway2: gateways[1]?.proc.pid ?? 0,
        loadgen: loadgen.proc.pid,
        ...(mariadbPid ? { mariadb: mariadbPid } : {}),
      });
      const senderCpu = process.cpuUsage();
      retries = 0;
      ackSamples = [];
      const sent = await openLoop(senders, halfRate, HALF_SECONDS);
      // Stamped frames only: closed-loop warm-up messages may still be arriving.
      const deadline = Date.now() + 10_000;
      while (loadgen.stats.stamped < sent * perMessage && Date.now() < deadline) await Bun.sleep(50);
      const cpu = meter();
      const senderUsed = process.cpuUsage(senderCpu);
      const samples = await loadgen.stop();
      const deliveries = samples.length;
      const latency = summarize(samples);
      const per = (us: number | undefined) => (us ?? 0) / Math.max(1, deliveries);
      rows.push({
        scenario: scenario.name,
        senders: senders.length,
        "max sends/s": Math.round(maxRate),
        "max deliveries/s": Math.round(maxRate * perMessage),
        "half-load sends/s": Math.round(sent / HALF_SECONDS),
        deliveries,
        lost: sent * perMessage - deliveries,
        "busy retries": retries,
        "p50 ms": latency.p50,
        "p99 ms": latency.p99,
        "max ms": latency.max,
        "ack p50 ms": summarize(ackSamples).p50,
        "ack p99 ms": summarize(ackSamples).p99,
        "API µs/delivery": per(cpu.api),
        "MariaDB µs/delivery": per(cpu.mariadb),
        "NATS µs/delivery": per(cpu.nats),
        "gateways µs/delivery": per((cpu.gateway1 ?? 0) + (cpu.gateway2 ?? 0)),
        "sender µs/delivery": per(senderUsed.user + senderUsed.system),
        "loadgen µs/delivery": per(cpu.loadgen),
      });
    }
    report("realtime-latency", rows, {
      maxSeconds: MAX_SECONDS,
      halfLoadSeconds: HALF_SECONDS,
      note: "2 cores shared by API, MariaDB, NATS, 2 gateways, sender and load generator; MariaDB CPU includes other work on the shared server",
    });
  } finally {
    await Promise.all(loadgens.map((l) => l.stop().catch(() => [])));
    await Promise.all(gateways.map((g) => g.kill("SIGKILL")));
    await api.kill();
    await nats.stop();
    await testDb.drop().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(`realtime-latency bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
