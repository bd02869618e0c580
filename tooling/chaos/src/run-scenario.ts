import { checkDialogs, type Findings, violationCount } from "./check";
import {
  dropNextPush,
  FAULT_KINDS,
  type FaultContext,
  type FaultKind,
  type FaultRecord,
  injectFault,
} from "./faults";
import { judge, withRetry } from "./judge";
import { sendChange } from "./life-cycle-load";
import {
  type ChaosClient,
  type ChaosDialog,
  createPopulation,
  type Population,
  sendText,
} from "./population";
import { createRng, hashSeed } from "./prng";
import {
  noteKnownNames,
  planRenames,
  type RenameOutcome,
  reconnectForNames,
  sendRename,
  serverNames,
} from "./profile-load";
import type { Profile, ScenarioSpec } from "./profiles";
import type { World } from "./world";

export type ScenarioResult = {
  scenario: string;
  seed: number;
  faults: FaultRecord[];
  findings: Findings;
  /** Seconds from "every fault healed" until every client showed the server's truth; null: never. */
  convergenceSeconds: number | null;
  /**
   * The quiet tail: seconds from its dropped push until the client that missed it showed it, on a
   * live socket with nothing else said in that dialog (the missed-push bound); null: never.
   */
  quietTailSeconds?: number | null;
  /** The engines' error events, summed by where and code (retries that healed included). */
  engineErrors: Record<string, number>;
  seconds: number;
  passed: boolean;
  /** The scenario could not run (set-up failed): counts as a failure. */
  error?: string;
};

/** After healing, how long a user's rename may still be on its way as a push (then: reconnect). */
const NAME_PUSH_GRACE_MS = 10_000;

/** About one send in three is followed by an edit, delete or reaction from a member of the dialog. */
const CHANGE_SHARE = 0.35;

/** `gapMs` 0: pipelined in one tick (one HTTP batch); otherwise typed, one message every gapMs. */
type Burst = {
  atMs: number;
  client: ChaosClient;
  dialog: ChaosDialog;
  size: number;
  gapMs: number;
  refused: boolean;
};

/**
 * One scenario on a running world: a fresh population, seeded bursts of pipelined sends, faults at
 * seeded moments (each undone), optionally a quiet tail whose push is lost, then heal, wait for
 * convergence (bounded) and judge every client against the server.
 */
export async function runScenario(
  world: World,
  profile: Profile,
  spec: ScenarioSpec,
  seed: number,
  index: number,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const began = Date.now();
  const rng = createRng(hashSeed(`${seed}:${spec.name}`));
  let population: Population | null = null;
  const faults: FaultRecord[] = [];
  try {
    await world.heal();
    population = await createPopulation({
      tag: `k${(seed % 46_656).toString(36)}s${index}`,
      users: profile.users,
      clientsPerUser: profile.clientsPerUser,
      directDialogs: profile.directDialogs,
      groups: profile.groups,
      groupSize: profile.groupSize,
      trpcUrl: world.trpcUrl,
      wsUrls: world.wsUrls,
      rng: rng.fork("population"),
    });
    const pop = population;
    const ctx: FaultContext = {
      world,
      population: pop,
      rng: rng.fork("faults"),
      loadMs: profile.loadMs,
      log,
    };
    const bursts = planBursts(pop, profile, rng.fork("load"));
    const changeRng = rng.fork("changes");
    const planned = planFaults(spec, profile, rng.fork("fault-times"));
    noteKnownNames(pop, await serverNames(pop, withRetry));
    const renames: RenameOutcome[] = [];
    log(
      `${spec.name}: ${pop.clients.length} clients, ${pop.dialogs.length} dialogs, ${bursts.length} bursts, faults ${planned.map((f) => `${f.kind}@${f.atMs}`).join(" ") || "none"}`,
    );

    const start = Date.now();
    const faultRuns = planned.map(async ({ kind, atMs }) => {
      await Bun.sleep(Math.max(0, start + atMs - Date.now()));
      const detail = await injectFault(kind, ctx).catch((error: unknown) => `fault failed: ${String(error)}`);
      faults.push({ kind, atMs, detail });
      log(`  ${spec.name} +${atMs} ms ${kind}: ${detail}`);
    });
    const renameRuns = planRenames(pop, profile.loadMs, rng.fork("renames")).map(async (rename, n) => {
      await Bun.sleep(Math.max(0, start + rename.atMs - Date.now()));
      renames.push(await sendRename(pop, rename, n));
    });
    for (const burst of bursts) {
      await Bun.sleep(Math.max(0, start + burst.atMs - Date.now()));
      for (let i = 0; i < burst.size; i++) {
        sendText(burst.client, burst.dialog.id, { refused: burst.refused && i === 0 });
        // Edits, deletes and reactions ride the same pipelines, from any member's client.
        if (changeRng.chance(CHANGE_SHARE)) {
          sendChange(changeRng.pick(pop.membersOf(burst.dialog)), burst.dialog.id, changeRng);
        }
      }
    }
    const tail = spec.quietTailDrop
      ? await quietTail(ctx, rng.fork("tail"), start, log, spec.name, profile.convergeMs)
      : null;
    if (tail) faults.push(tail.record);
    await Promise.all([...faultRuns, ...renameRuns]);
    await world.heal();
    const healedAt = Date.now();

    let convergenceSeconds: number | null = null;
    let findings = await judge(pop, renames);
    let reportedAt = healedAt;
    let namesByReconnect = 0;
    while (Date.now() - healedAt < profile.convergeMs) {
      const settled = await Promise.all(
        pop.clients.map((c) =>
          c.engine.settled(0).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (settled.every(Boolean)) {
        findings = await judge(pop, renames);
        if (violationCount(findings) === 0) {
          convergenceSeconds = (Date.now() - healedAt) / 1000;
          break;
        }
        // Pushes still in flight get a grace; then users' names may take the reconnect bound.
        if (!namesByReconnect && Date.now() - healedAt >= NAME_PUSH_GRACE_MS) {
          const stale = findings.userNameMismatches;
          if (reconnectForNames(world, findings)) {
            namesByReconnect = stale;
            log(`  ${spec.name}: ${stale} stale user name(s) after healing: every socket cut once`);
          }
        }
      }
      if (Date.now() - reportedAt >= 10_000) {
        reportedAt = Date.now();
        log(
          `  ${spec.name}: ${((reportedAt - healedAt) / 1000).toFixed(0)} s after healing: ${describeWaiting(pop, settled)}`,
        );
      }
      await Bun.sleep(500);
    }
    if (convergenceSeconds === null) findings = await judge(pop, renames);
    findings.namesByReconnect = namesByReconnect;
    const engineErrors: Record<string, number> = {};
    for (const client of pop.clients) {
      for (const [key, count] of client.errors) engineErrors[key] = (engineErrors[key] ?? 0) + count;
    }
    const quietTailSeconds = tail ? await tail.recovered : undefined;
    if (tail && quietTailSeconds === null) {
      findings.details.push(`quiet tail: ${tail.record.detail}; never shown by that client`);
    }
    return {
      scenario: spec.name,
      seed,
      faults: faults.sort((a, b) => a.atMs - b.atMs),
      findings,
      convergenceSeconds,
      ...(quietTailSeconds === undefined ? {} : { quietTailSeconds }),
      engineErrors,
      seconds: (Date.now() - began) / 1000,
      passed: violationCount(findings) === 0 && convergenceSeconds !== null && quietTailSeconds !== null,
    };
  } catch (error) {
    return {
      scenario: spec.name,
      seed,
      faults,
      findings: checkDialogs([]),
      convergenceSeconds: null,
      engineErrors: {},
      seconds: (Date.now() - began) / 1000,
      passed: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  } finally {
    population?.stop();
  }
}

/** Who is not settled yet and why (sends in flight, dialogs behind), for the progress log. */
function describeWaiting(population: Population, settled: boolean[]): string {
  const busy = population.clients.filter((_, i) => !settled[i]);
  if (busy.length === 0) return "every engine settled, violations remain";
  return busy
    .slice(0, 6)
    .map((client) => {
      const dialogs = client.engine.dialogs();
      const sending = dialogs.reduce((sum, d) => sum + d.pendingSends, 0);
      const behind = dialogs.filter((d) => d.heldSeq < d.lastSeq).map((d) => `${d.heldSeq}/${d.lastSeq}`);
      return `${client.label} (${client.engine.connectionState}, ${sending} sending, behind ${behind.join(" ") || "none"})`;
    })
    .join("; ");
}

/**
 * Bursts of 1..maxBurst sends at seeded moments, half of them pipelined in one tick, half typed fast
 * (one every 100–400 ms: separate HTTP requests that a slow server can answer out of order). One
 * message somewhere is too long.
 */
function planBursts(population: Population, profile: Profile, rng: ReturnType<typeof createRng>): Burst[] {
  const bursts: Burst[] = [];
  let planned = 0;
  while (planned < profile.messages) {
    const client = rng.pick(population.clients);
    const dialog = rng.pick(population.dialogsOf(client));
    const size = Math.min(profile.messages - planned, rng.int(1, profile.maxBurst));
    const gapMs = rng.chance(0.5) ? 0 : rng.int(100, 400);
    bursts.push({ atMs: rng.int(0, profile.loadMs), client, dialog, size, gapMs, refused: false });
    planned += size;
  }
  bursts.sort((a, b) => a.atMs - b.atMs);
  const refusedAt = rng.int(0, bursts.length - 1);
  const target = bursts[refusedAt];
  if (target) target.refused = true;
  return bursts;
}

function planFaults(spec: ScenarioSpec, profile: Profile, rng: ReturnType<typeof createRng>) {
  const kinds: FaultKind[] = [...spec.faults];
  for (let i = 0; i < (spec.randomFaults ?? 0); i++) kinds.push(rng.pick(FAULT_KINDS));
  return kinds
    .map((kind) => ({
      kind,
      // A slow API is slow from the start; the rest strike while sends are going on.
      atMs:
        kind === "slow-api" ? 0 : rng.int(Math.round(profile.loadMs * 0.1), Math.round(profile.loadMs * 0.8)),
    }))
    .sort((a, b) => a.atMs - b.atMs);
}

/**
 * One more message after the sends, whose push to one other client is dropped; then silence in that
 * dialog. `recovered` resolves with the seconds until that client shows it (null: not within the
 * profile's convergence bound).
 */
async function quietTail(
  ctx: FaultContext,
  rng: ReturnType<typeof createRng>,
  start: number,
  log: (line: string) => void,
  name: string,
  boundMs: number,
): Promise<{ record: FaultRecord; recovered: Promise<number | null> }> {
  // Truly the last message: nothing else of the run is still on its way into any dialog.
  await Promise.all(ctx.population.clients.map((c) => c.engine.settled(boundMs).catch(() => undefined)));
  const atMs = Date.now() - start;
  const dialog = rng.pick(ctx.population.dialogs);
  const sender = rng.pick(ctx.population.membersOf(dialog));
  const n = sender.counters.get(dialog.id) ?? 0;
  const key = `${sender.label}#${n}`;
  // The push comes once the send commits: on a loaded machine that can take a while.
  const dropping = dropNextPush(ctx, dialog.id, (text) => text === key, boundMs, sender.clientId);
  sendText(sender, dialog.id);
  const dropped = await dropping;
  const droppedAt = Date.now();
  const detail = dropped?.detail ?? `the tail ${key} was never pushed within ${boundMs / 1000} s`;
  log(`  ${name} +${atMs} ms quiet tail: ${detail}`);
  const victim = ctx.population.clients.find((c) => c.clientId === dropped?.clientId);
  const recovered = (async () => {
    if (!victim) return 0;
    while (Date.now() - droppedAt < boundMs) {
      if (
        victim.engine
          .messages(dialog.id)
          .some((m) => m.seq !== null && m.content.kind === "text" && m.content.text === key)
      ) {
        return (Date.now() - droppedAt) / 1000;
      }
      await Bun.sleep(100);
    }
    return null;
  })();
  return { record: { kind: "drop-push", atMs, detail: `quiet tail: ${detail}` }, recovered };
}
