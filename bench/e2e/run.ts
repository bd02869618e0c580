/**
 * The end-to-end bench, measured from outside: start a checkout's production stack, sign up the
 * users, open their sockets, create 1:1 dialogs and groups, then run each scenario and report
 * msgs/s, send→deliver latency at the receiver sockets, CPU per message per process, MariaDB
 * statements per message, and lost / reordered / failed counts.
 */
import { join } from "node:path";
import { formatTable, RESULTS_DIR, type Row, report } from "../lib";
import { buildWebIfStale } from "./build";
import { findServicePids, loadAverage, mariaDbStatus } from "./meter";
import { type E2eOptions, parseScenario } from "./options";
import { createGroups, openPairs, signUpUsers } from "./population";
import { openReceivers } from "./receivers";
import { finalizeSendOutcome, runScenario, type ScenarioResult, type World } from "./scenario";
import { startStack } from "./stack";
import { createTrpcHttp } from "./trpc-http";

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function log(line: string): void {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function summaryRow(result: ScenarioResult): Row {
  const topReason =
    Object.entries(result.finalSend?.failReasons ?? result.send.failReasons).sort(
      (a, b) => b[1] - a[1],
    )[0]?.[0] ?? "";
  return {
    scenario: result.scenario,
    "load before": result.loadAverageBefore,
    senders: result.senders,
    acked: result.send.acked,
    "delivered msgs/s": round(result.deliveredMessagesPerSecond),
    "deliveries/s": round(result.deliveriesPerSecond),
    "p50 ms": round(result.latencyMs.p50, 2),
    "p99 ms": round(result.latencyMs.p99, 2),
    "ack p99 ms": round(result.ackMs.p99, 2),
    lost: result.lost,
    "arrived late": result.reordered,
    "order violations": result.orderViolations,
    failed: result.send.failed,
    "failed later": (result.finalSend?.failed ?? 0) - result.send.failed,
    dropped: result.dropped,
    unsettled: result.unsettled,
    "socket closes": Object.entries(result.socketCloses)
      .map(([code, count]) => `${count}×${code}`)
      .join(" "),
    "token calls": result.tokenCalls,
    clean: result.startedClean ? "yes" : "NO",
    "why failed": topReason.slice(0, 60),
  };
}

function cpuRows(result: ScenarioResult): Row[] {
  const rows: Row[] = [{ scenario: result.scenario, per: "message", ...roundAll(result.cpuUsPerMessage) }];
  if (result.receiversPerMessage > 1) {
    rows.push({ scenario: result.scenario, per: "delivery", ...roundAll(result.cpuUsPerDelivery) });
  }
  return rows;
}

function roundAll(values: Record<string, number>, digits = 1): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, round(value, digits)]));
}

const FINAL_SETTLE_MS = 60_000;

/** Sends still retrying when their scenario's drain ended: give them a bounded time to end. */
async function waitForSendsToSettle(results: ScenarioResult[]): Promise<void> {
  const deadline = performance.now() + FINAL_SETTLE_MS;
  const pendingOf = (result: ScenarioResult) =>
    result.submitted -
    result.dropped -
    (result.liveSend ? result.liveSend.acked + result.liveSend.failed : 0);
  while (performance.now() < deadline && results.some((result) => pendingOf(result) > 0))
    await Bun.sleep(200);
  for (const result of results) finalizeSendOutcome(result);
}

export async function runE2e(options: E2eOptions): Promise<void> {
  const logDir = join(RESULTS_DIR, `${options.out}-logs`);
  log(
    `checkout ${options.checkout}, api ${options.api}, ${options.users} users; load average ${loadAverage()}`,
  );
  const build = options.api === "next" ? await buildWebIfStale(options.checkout, logDir) : null;
  if (build) log(build.built ? `next build: ${build.seconds} s` : "next build is current");
  const stack = await startStack({ ...options, logDir });
  const status = await mariaDbStatus();
  const results: ScenarioResult[] = [];
  let receivers: Awaited<ReturnType<typeof openReceivers>> | null = null;
  try {
    const http = createTrpcHttp(stack.apiUrl);
    const tag = Date.now().toString(36).slice(-6);
    let started = performance.now();
    const users = await signUpUsers(http, options.users, tag);
    log(`${users.length} users signed up in ${round((performance.now() - started) / 1000)} s`);
    started = performance.now();
    const pairs = await openPairs(http, users);
    // Groups before sockets: the realtime token lists a user's big groups (its `dlg` claim).
    const groups = await createGroups(http, users, options.groupSize);
    log(
      `${pairs.length} 1:1 dialogs, ${groups.length} groups of ${options.groupSize} in ${round((performance.now() - started) / 1000)} s`,
    );
    started = performance.now();
    receivers = await openReceivers(http, stack.realtimeUrl, users);
    log(`${users.length} sockets open in ${round((performance.now() - started) / 1000)} s`);

    const world: World = {
      http,
      pairs,
      groups,
      receivers,
      sockets: users.length,
      pids: { ...stack.pids, ...(await findServicePids()) },
      status,
      options,
    };
    if (options.warmup > 0) {
      await runScenario(world, parseScenario("1to1-closed"), options.warmup);
      log(`warm-up done (${options.warmup} s of 1:1 closed loop)`);
    }
    for (const scenario of options.scenarios) {
      const result = await runScenario(world, scenario, options.duration);
      results.push(result);
      log(
        `${scenario.name}: ${round(result.deliveredMessagesPerSecond)} msgs/s, p99 ${round(result.latencyMs.p99, 1)} ms, ` +
          `lost ${result.lost}, failed ${result.send.failed}`,
      );
    }
    await waitForSendsToSettle(results);
  } finally {
    receivers?.stop();
    await status.close();
    await stack.stop();
  }

  const cpu = results.flatMap(cpuRows);
  const sql = results.map(
    (result): Row => ({ scenario: result.scenario, ...roundAll(result.sqlPerMessage, 2) }),
  );
  console.log(`\nCPU µs per message (and per delivery in groups), per process tree:\n${formatTable(cpu)}`);
  console.log(`\nMariaDB GLOBAL STATUS deltas per acked message:\n${formatTable(sql)}`);
  report(options.out, results.map(summaryRow), {
    options: { ...options, scenarios: options.scenarios.map((scenario) => scenario.name) },
    label: options.label ?? null,
    commit: build?.commit ?? null,
    uncommittedChanges: build?.dirty ?? null,
    nextBuild: build,
    cpuUsPerProcess: cpu,
    sqlPerMessage: sql,
    results,
    note: "latency: due → each receiver socket (closed loop: due = handed to the sender's pipeline); CPU: /proc utime+stime of each process tree over load + drain, per acked message; MariaDB, NATS and Redis are the machine's shared services (their deltas include anything else running)",
  });
}
