/**
 * The gate in front of tRPC: what one caller (a credential, or an address without one) may make the
 * API do before any request parsing, auth or database work. The budgets inside the API (per client,
 * per user, per procedure) decide what is allowed; this gate decides what a refusal costs. Without
 * it, a closed loop that is refused every time still costs a full tRPC request per refusal, and one
 * account's flood slows everyone sharing the process.
 *
 * Two rules, both answered with a wait rather than work:
 * - **A rate per caller** (GCRA: `ratePerSecond` sustained, `burst` at once). A request over it waits
 *   until its turn if that is within `maxHoldMs`, else it is refused here with 429.
 * - **A refusal holds the same call.** After a budget inside the API refused procedure P for this
 *   caller, the caller's next calls to P wait until that budget's window reopens (up to `maxHoldMs`),
 *   and are refused here if it is further away. A caller that honours Retry-After never notices;
 *   one that loops costs a timer per call instead of a request.
 *
 * A refusal is itself answered after `maxHoldMs`, so a loop that ignores Retry-After makes one request
 * per hold. Waiting requests cost memory only, bounded by `maxHeldPerCaller` (over it, answered at
 * once: the caller then holds that many connections open, which is a balancer's to limit). State is per
 * process: with N processes a caller gets up to N× the rate, which is fine for a gate whose job is
 * cost, not accounting (the shared budgets are in Redis).
 */
export type RequestGateOptions = {
  ratePerSecond: number;
  burst: number;
  maxHoldMs: number;
  maxHeldPerCaller: number;
  /** Longest a refusal inside the API holds its procedure for this caller. */
  maxPenaltyMs: number;
};

/**
 * `waitMs`: hold the request this long before passing it on (or, refused, before answering 429 — so a
 * caller looping on refusals makes one request per hold, not thousands). `release` when answered.
 */
export type GateVerdict =
  | { kind: "pass"; waitMs: number; release: () => void }
  | { kind: "refuse"; retryAfterMs: number; waitMs: number; release: () => void };

type Caller = {
  /** GCRA's theoretical arrival time (ms, the gate's clock). */
  tat: number;
  held: number;
  /** Procedure path → until when (ms) a budget inside the API refuses it for this caller. */
  refusedUntil: Map<string, number> | null;
};

export type RequestGate = {
  /** Called before the request is read. `cost` = calls in a batch. */
  admit(callerKey: string, paths: readonly string[]): GateVerdict;
  /** A budget inside the API refused `path` for this caller for `retryAfterMs`. */
  refused(callerKey: string, path: string, retryAfterMs: number): void;
  /** Callers tracked (for tests and metrics). */
  size(): number;
  stop(): void;
};

const SWEEP_EVERY_MS = 10_000;

export function createRequestGate(
  options: RequestGateOptions,
  now: () => number = () => performance.now(),
): RequestGate {
  const interval = 1000 / options.ratePerSecond;
  const tolerance = options.burst * interval;
  const callers = new Map<string, Caller>();

  const sweep = setInterval(() => {
    const at = now();
    for (const [key, caller] of callers) {
      if (caller.held > 0 || caller.tat > at) continue;
      if (caller.refusedUntil) {
        for (const [path, until] of caller.refusedUntil) if (until <= at) caller.refusedUntil.delete(path);
        if (caller.refusedUntil.size > 0) continue;
      }
      callers.delete(key);
    }
  }, SWEEP_EVERY_MS);
  sweep.unref?.();

  return {
    admit(callerKey, paths) {
      const at = now();
      let caller = callers.get(callerKey);
      if (!caller) {
        caller = { tat: at, held: 0, refusedUntil: null };
        callers.set(callerKey, caller);
      }
      let penaltyWait = 0;
      if (caller.refusedUntil) {
        for (const path of paths) {
          const until = caller.refusedUntil.get(path);
          if (until !== undefined) penaltyWait = Math.max(penaltyWait, until - at);
        }
      }
      const cost = Math.max(1, paths.length);
      const nextTat = Math.max(caller.tat, at) + cost * interval;
      const rateWait = Math.max(0, nextTat - tolerance - at);
      const waitMs = Math.ceil(Math.max(rateWait, penaltyWait));
      if (waitMs === 0) {
        caller.tat = nextTat;
        return { kind: "pass", waitMs: 0, release: noop };
      }
      const canHold = caller.held < options.maxHeldPerCaller;
      if (waitMs > options.maxHoldMs || !canHold) {
        if (!canHold) return { kind: "refuse", retryAfterMs: waitMs, waitMs: 0, release: noop };
        return {
          kind: "refuse",
          retryAfterMs: waitMs - options.maxHoldMs,
          waitMs: options.maxHoldMs,
          release: hold(caller),
        };
      }
      caller.tat = nextTat;
      return { kind: "pass", waitMs, release: hold(caller) };
    },
    refused(callerKey, path, retryAfterMs) {
      const caller = callers.get(callerKey);
      if (!caller) return;
      caller.refusedUntil ??= new Map();
      caller.refusedUntil.set(path, now() + Math.min(Math.max(retryAfterMs, 0), options.maxPenaltyMs));
    },
    size: () => callers.size,
    stop: () => clearInterval(sweep),
  };
}

const noop = () => {};

function hold(caller: Caller): () => void {
  caller.held++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    caller.held--;
  };
}
