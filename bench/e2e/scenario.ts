/**
 * One scenario: drive sends for `duration` seconds (closed or open loop), stop, let in-flight sends
 * settle and deliveries arrive for up to `drain` seconds, and account for every message: delivered
 * to every receiver socket, lost, failed (and why), dropped (an open loop's unsent backlog).
 * CPU and MariaDB counters cover the load and the drain.
 */
import { summarize } from "../lib";
import { cpuMeter, loadAverage, MARIADB_COUNTERS, type MariaDbCounter, type StatusReader } from "./meter";
import type { E2eOptions, Scenario } from "./options";
import { newSendStats, SendPipeline, type SendStats } from "./pipeline";
import type { BenchUser, Dialog } from "./population";
import { type DeliveryLog, type MessageRecord, newDeliveryLog, type Receivers } from "./receivers";
import type { TrpcHttp } from "./trpc-http";

export type World = {
  http: TrpcHttp;
  pairs: Dialog[];
  groups: Dialog[];
  receivers: Receivers;
  /** Sockets that should be open (one per user). */
  sockets: number;
  /** Root pids of the processes whose CPU is measured (process trees). */
  pids: Record<string, number>;
  status: StatusReader;
  options: E2eOptions;
};

export type ScenarioResult = {
  scenario: string;
  loadAverageBefore: number;
  seconds: number;
  receiversPerMessage: number;
  senders: number;
  /** Sends handed to the pipelines (open loop: due in the window). */
  submitted: number;
  send: SendOutcome;
  /**
   * The same sends at the end of the whole run: those unsettled at the drain's end kept retrying
   * (through the next scenario's start), and some were acked or failed only then.
   */
  finalSend: SendOutcome | null;
  /** Still counting while late sends settle; read by the run at its end, not written to JSON. */
  liveSend?: SendStats;
  dropped: number;
  unsettled: number;
  deliveredMessagesPerSecond: number;
  deliveriesPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  ackMs: { p50: number; p99: number };
  /** Acked messages some receiver socket never got within the drain. */
  lost: number;
  missingDeliveries: number;
  /** Failed for the sender, yet delivered: a false failure. */
  failedButDelivered: number;
  reordered: number;
  orderViolations: number;
  duplicates: number;
  strays: number;
  socketCloses: Record<string, number>;
  /** auth.realtimeToken calls during the scenario (in-band refreshes, reconnects). */
  tokenCalls: number;
  /** Waited before the load for the previous scenario's sends to settle and every socket to be open. */
  settleSeconds: number;
  /** False when that wait hit its bound: this scenario started with a backlog or sockets down. */
  startedClean: boolean;
  /** CPU µs per acked message, per process (tree), and for the load client. */
  cpuUsPerMessage: Record<string, number>;
  cpuUsPerDelivery: Record<string, number>;
  /** MariaDB GLOBAL STATUS deltas per acked message. */
  sqlPerMessage: Record<MariaDbCounter, number>;
};

export type SendOutcome = Omit<SendStats, "ackLatenciesMs">;

function snapshot(stats: SendStats): SendOutcome {
  const { ackLatenciesMs: _, ...rest } = stats;
  return { ...rest, failReasons: { ...rest.failReasons }, retries: { ...rest.retries } };
}

/** Fills `finalSend` from the live counters (call once the run's sends have settled). */
export function finalizeSendOutcome(result: ScenarioResult): void {
  if (result.liveSend) result.finalSend = snapshot(result.liveSend);
  result.liveSend = undefined;
}

type Sender = { pipeline: SendPipeline; dialog: Dialog; user: BenchUser };

const pipelines = new Map<string, SendPipeline>();

/** One pipeline per (dialog, sender) for the whole run: clientSeqs continue across scenarios. */
function pipelineFor(world: World, dialog: Dialog, user: BenchUser, window: number): SendPipeline {
  const key = `${dialog.id}:${user.userId}`;
  let pipeline = pipelines.get(key);
  if (!pipeline) {
    pipeline = new SendPipeline(world.http, user, dialog.id, window);
    pipelines.set(key, pipeline);
  }
  pipeline.window = window;
  return pipeline;
}

function sendersOf(world: World, scenario: Scenario): Sender[] {
  const window = scenario.loop === "closed" ? 1 : world.options.window;
  if (scenario.shape === "pair") {
    const count =
      scenario.loop === "closed" ? (world.options.closedSenders ?? world.pairs.length) : world.pairs.length;
    return world.pairs.slice(0, count).map((dialog) => {
      const user = dialog.members[0] as BenchUser;
      return { pipeline: pipelineFor(world, dialog, user, window), dialog, user };
    });
  }
  return world.groups.flatMap((dialog) =>
    dialog.members
      .slice(0, world.options.groupSenders)
      .map((user) => ({ pipeline: pipelineFor(world, dialog, user, window), dialog, user })),
  );
}

function newRecord(sender: Sender, dueAt: number): MessageRecord {
  return {
    dialogId: sender.dialog.id,
    senderUserId: sender.user.userId,
    dueAt,
    ackedAt: null,
    state: "queued",
    expected: sender.dialog.members.length - 1,
    delivered: 0,
    completedAt: null,
  };
}

async function closedLoop(
  senders: Sender[],
  log: DeliveryLog,
  stats: SendStats,
  until: number,
): Promise<number> {
  let submitted = 0;
  await Promise.all(
    senders.map(async (sender) => {
      while (performance.now() < until) {
        submitted++;
        await sender.pipeline.submit(newRecord(sender, performance.now()), log, stats);
      }
    }),
  );
  return submitted;
}

/** Sends fall due every 1/rate s, round-robin over the senders, whether or not earlier ones were acked. */
async function openLoop(
  senders: Sender[],
  rate: number,
  log: DeliveryLog,
  stats: SendStats,
  started: number,
  until: number,
): Promise<number> {
  const intervalMs = 1000 / rate;
  let submitted = 0;
  for (let now = performance.now(); now < until; now = performance.now()) {
    const due = Math.min(
      Math.floor((now - started) / intervalMs) + 1,
      Math.ceil((until - started) / intervalMs),
    );
    for (; submitted < due; submitted++) {
      const sender = senders[submitted % senders.length] as Sender;
      void sender.pipeline.submit(newRecord(sender, started + submitted * intervalMs), log, stats);
    }
    await Bun.sleep(1);
  }
  return submitted;
}

function isSettled(record: MessageRecord): boolean {
  if (record.state === "queued" || record.state === "inflight") return false;
  return record.state !== "acked" || record.delivered >= record.expected;
}

function diffCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) out[key] = delta;
  }
  return out;
}

const SETTLE_LIMIT_MS = 120_000;

/** Scenarios start clean: no earlier sends still retrying, every socket open (bounded wait). */
async function settleBefore(world: World): Promise<{ seconds: number; isClean: boolean }> {
  const started = performance.now();
  const isClean = () =>
    world.receivers.open >= world.sockets &&
    [...pipelines.values()].every((pipeline) => pipeline.pending === 0);
  while (!isClean() && performance.now() - started < SETTLE_LIMIT_MS) await Bun.sleep(100);
  return { seconds: (performance.now() - started) / 1000, isClean: isClean() };
}

export async function runScenario(
  world: World,
  scenario: Scenario,
  seconds: number,
): Promise<ScenarioResult> {
  const settle = await settleBefore(world);
  const senders = sendersOf(world, scenario);
  if (senders.length === 0) throw new Error(`${scenario.name}: no senders (too few users for the shape)`);
  const log = newDeliveryLog();
  const stats = newSendStats();
  world.receivers.log = log;
  const closesBefore = { ...world.receivers.closes };
  const tokenCallsBefore = world.receivers.tokenCalls;
  const loadAverageBefore = loadAverage();
  const sqlBefore = await world.status.read();
  const meter = cpuMeter(world.pids);
  const clientCpu = process.cpuUsage();

  const started = performance.now();
  const until = started + seconds * 1000;
  log.windowEnd = until;
  const submitted =
    scenario.loop === "closed"
      ? await closedLoop(senders, log, stats, until)
      : await openLoop(senders, scenario.rate, log, stats, started, until);
  let dropped = 0;
  for (const sender of senders) dropped += sender.pipeline.dropUnsent();
  const drainUntil = performance.now() + world.options.drain * 1000;
  const records = [...new Set(log.records.values())];
  while (performance.now() < drainUntil && !records.every(isSettled)) await Bun.sleep(100);

  const cpu = meter();
  const clientUsed = process.cpuUsage(clientCpu);
  const sqlAfter = await world.status.read();
  const acked = records.filter((record) => record.state === "acked");
  const lost = acked.filter((record) => record.delivered < record.expected);
  const completedInWindow = acked.filter(
    (record) => record.completedAt !== null && record.completedAt <= until,
  );
  const latency = summarize(log.latenciesMs);
  const ack = summarize(stats.ackLatenciesMs);
  const per = (total: number, count: number) => (count > 0 ? total / count : 0);
  const serverCpu = Object.values(cpu).reduce((sum, us) => sum + us, 0);
  const cpuTotals: Record<string, number> = {
    ...cpu,
    "all server": serverCpu,
    "load client": clientUsed.user + clientUsed.system,
  };
  const perMessage = Object.fromEntries(
    Object.entries(cpuTotals).map(([name, us]) => [name, per(us, acked.length)]),
  );
  const perDelivery = Object.fromEntries(
    Object.entries(cpuTotals).map(([name, us]) => [name, per(us, log.deliveries)]),
  );
  const sqlPerMessage = Object.fromEntries(
    MARIADB_COUNTERS.map((name) => [name, per(sqlAfter[name] - sqlBefore[name], acked.length)]),
  ) as Record<MariaDbCounter, number>;
  return {
    scenario: scenario.name,
    loadAverageBefore,
    seconds,
    receiversPerMessage: (senders[0]?.dialog.members.length ?? 1) - 1,
    senders: senders.length,
    submitted,
    send: snapshot(stats),
    finalSend: null,
    liveSend: stats,
    dropped,
    unsettled: records.filter((record) => record.state === "queued" || record.state === "inflight").length,
    deliveredMessagesPerSecond: completedInWindow.length / seconds,
    deliveriesPerSecond: log.deliveriesInWindow / seconds,
    latencyMs: { p50: latency.p50, p99: latency.p99, max: latency.max },
    ackMs: { p50: ack.p50, p99: ack.p99 },
    lost: lost.length,
    missingDeliveries: lost.reduce((sum, record) => sum + record.expected - record.delivered, 0),
    failedButDelivered: records.filter((record) => record.state === "failed" && record.delivered > 0).length,
    reordered: log.reordered,
    orderViolations: log.orderViolations,
    duplicates: log.duplicates,
    strays: log.strays,
    socketCloses: diffCounts(world.receivers.closes, closesBefore),
    tokenCalls: world.receivers.tokenCalls - tokenCallsBefore,
    settleSeconds: settle.seconds,
    startedClean: settle.isClean,
    cpuUsPerMessage: perMessage,
    cpuUsPerDelivery: perDelivery,
    sqlPerMessage,
  };
}
