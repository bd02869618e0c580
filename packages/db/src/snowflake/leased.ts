import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { and, eq, gt, like, sql } from "drizzle-orm";
import type { Db } from "../client";
import { leases } from "../schema/lease";
import { type Clock, MAX_WORKER_ID, Snowflake } from "./snowflake";

export const SNOWFLAKE_LEASE_PREFIX = "snowflake:";
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** Clock skew against the database that start-up waits out; beyond it the host's clock is broken. */
const MAX_STARTUP_SKEW_MS = 2_000;

export type LeasedIdGeneratorOptions = {
  /** Unique per process instance. The default adds random bytes: serverless copies share host and pid. */
  holder?: string;
  /** Lease life; renewed every ttl/3. */
  ttlMs?: number;
  renewEveryMs?: number;
  /** Id clock (ms since the Unix epoch); the lease itself is timed by the database's NOW(3). */
  clock?: Clock;
  /** Worker ids this generator may take (default 0..MAX_WORKER_ID, 16,383), e.g. to give a region its own range. */
  workerIds?: readonly number[];
};

export type LeasedIdGenerator = {
  nextId(): string;
  readonly workerId: number;
  /** The lease's fencing token: it grows on every change of holder. */
  readonly fence: number;
  close(): Promise<void>;
};

export class NoFreeWorkerIdError extends Error {
  constructor(tried: number) {
    super(`snowflake: no free worker id lease (tried ${tried}); every snowflake:<n> lease is held`);
    this.name = "NoFreeWorkerIdError";
  }
}

/** Thrown by nextId() once the generator may no longer mint with its worker id. */
export class WorkerIdLeaseError extends Error {
  constructor(message: string) {
    super(`snowflake: ${message}; not minting so no two processes share a worker id`);
    this.name = "WorkerIdLeaseError";
  }
}

type LeaseRow = { holder: string; fence: number; expiresAt: Date };

/**
 * Leases a free worker id `snowflake:<n>` from the unsharded `leases` table and mints snowflakes
 * with it. The lease is renewed in the background; if it lapses (renewals failing past expiry) nextId()
 * throws until a renewal succeeds, and if another holder took it over, nextId() throws for good.
 */
export async function createLeasedIdGenerator(
  db: Db,
  options: LeasedIdGeneratorOptions = {},
): Promise<LeasedIdGenerator> {
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(6).toString("hex")}`;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 3));
  // Stop minting a little before the database would call the lease expired: database and local
  // clocks run at slightly different rates, and the takeover is judged by the database's clock.
  const safetyMs = Math.min(1000, Math.floor(ttlMs / 10));
  const acquired = await acquireWorkerId(db, holder, ttlMs, options.workerIds);
  const leaseName = `${SNOWFLAKE_LEASE_PREFIX}${acquired.workerId}`;
  // If this host's clock is behind the database's, wait until it passes the previous holder's last
  // possible id instead of refusing the first ids; a large skew is a misconfigured host: give up.
  const notBeforeMs = acquired.previousExpiresAt?.getTime();
  const behindMs = notBeforeMs === undefined ? 0 : notBeforeMs - (options.clock ?? Date.now)();
  if (behindMs > MAX_STARTUP_SKEW_MS) {
    await releaseLease(db, `${SNOWFLAKE_LEASE_PREFIX}${acquired.workerId}`, holder, acquired.fence);
    throw new WorkerIdLeaseError(
      `this host's clock is ${Math.round(behindMs)} ms behind the database's (limit ${MAX_STARTUP_SKEW_MS} ms)`,
    );
  }
  if (behindMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(behindMs) + 1));
  const snowflake = new Snowflake(acquired.workerId, {
    ...(options.clock ? { clock: options.clock } : {}),
    // A previous holder minted no id after its lease expired (or was released), so start after that.
    ...(acquired.previousExpiresAt ? { notBeforeMs: acquired.previousExpiresAt.getTime() } : {}),
  });

  // Valid until both clocks pass the deadline; the wall clock also catches a process that was frozen
  // (serverless) while the monotonic clock did not advance.
  let monoDeadline = acquired.startedMono + ttlMs - safetyMs;
  let wallDeadline = acquired.startedWall + ttlMs - safetyMs;
  let lost: string | null = null;
  let closed = false;
  let renewing: Promise<void> | null = null;

  const renew = async (): Promise<void> => {
    const startedMono = performance.now();
    const startedWall = Date.now();
    try {
      // Only our own, unchanged lease is extended: same holder and same fence means nobody else has
      // held it since we took it, so even a renewal after expiry is safe.
      await db
        .update(leases)
        .set({ expiresAt: sql`NOW(3) + INTERVAL ${ttlMs * 1000} MICROSECOND` })
        .where(and(eq(leases.name, leaseName), eq(leases.holder, holder), eq(leases.fence, acquired.fence)));
      const row = await readLease(db, leaseName);
      if (!row || row.holder !== holder || row.fence !== acquired.fence) {
        lost = `worker id ${acquired.workerId} lease was taken over (now held by ${row?.holder ?? "nobody"}, fence ${row?.fence ?? "-"})`;
        stopTimer();
        return;
      }
      monoDeadline = startedMono + ttlMs - safetyMs;
      wallDeadline = startedWall + ttlMs - safetyMs;
    } catch {
      // A failed renewal is retried on the next tick; nextId() refuses once the deadline passes.
    }
  };

  const timer = setInterval(() => {
    if (renewing || closed || lost) return;
    renewing = renew().finally(() => {
      renewing = null;
    });
  }, renewEveryMs);
  // The renewal must never keep a process alive on its own.
  timer.unref?.();
  const stopTimer = () => clearInterval(timer);

  return {
    workerId: acquired.workerId,
    fence: acquired.fence,
    nextId() {
      if (closed) throw new WorkerIdLeaseError("generator is closed");
      if (lost) throw new WorkerIdLeaseError(lost);
      if (performance.now() > monoDeadline || Date.now() > wallDeadline) {
        throw new WorkerIdLeaseError(`worker id ${acquired.workerId} lease lapsed (renewal failing)`);
      }
      return snowflake.nextId();
    },
    async close() {
      if (closed) return;
      closed = true;
      stopTimer();
      await renewing;
      if (lost) return;
      await releaseLease(db, leaseName, holder, acquired.fence);
    },
  };
}

type Acquired = {
  workerId: number;
  fence: number;
  previousExpiresAt: Date | null;
  startedMono: number;
  startedWall: number;
};

async function acquireWorkerId(
  db: Db,
  holder: string,
  ttlMs: number,
  workerIds: readonly number[] | undefined,
): Promise<Acquired> {
  const candidates = [...(workerIds ?? Array.from({ length: MAX_WORKER_ID + 1 }, (_, n) => n))];
  for (const n of candidates) {
    if (!Number.isInteger(n) || n < 0 || n > MAX_WORKER_ID) {
      throw new RangeError(`snowflake: worker id ${n} is outside 0..${MAX_WORKER_ID}`);
    }
  }
  // One read narrows the field; the conditional upsert below is what decides under races.
  const heldRows = await db
    .select({ name: leases.name })
    .from(leases)
    .where(and(like(leases.name, `${SNOWFLAKE_LEASE_PREFIX}%`), gt(leases.expiresAt, sql`NOW(3)`)));
  const held = new Set(heldRows.map((row) => row.name));
  // Random order: instances starting together should not all race for the same slot.
  const free = shuffle(candidates.filter((n) => !held.has(`${SNOWFLAKE_LEASE_PREFIX}${n}`)));
  for (const workerId of free) {
    const name = `${SNOWFLAKE_LEASE_PREFIX}${workerId}`;
    const before = await readLease(db, name);
    const startedMono = performance.now();
    const startedWall = Date.now();
    // Takes the row only when it is missing or expired, atomically under the row lock. MySQL applies
    // the assignments left to right, so expires_at is tested before it is assigned (it is last).
    // `<=`: a lease released at NOW(3) is free within the same millisecond; the new holder starts
    // strictly after that expiry (notBeforeMs), so ids cannot repeat.
    const expired = sql`${leases.expiresAt} <= NOW(3)`;
    await db
      .insert(leases)
      .values({ name, holder, fence: 1, expiresAt: sql`NOW(3) + INTERVAL ${ttlMs * 1000} MICROSECOND` })
      .onDuplicateKeyUpdate({
        set: {
          holder: sql`IF(${expired}, VALUES(${leases.holder}), ${leases.holder})`,
          fence: sql`IF(${expired}, ${leases.fence} + 1, ${leases.fence})`,
          expiresAt: sql`IF(${expired}, VALUES(${leases.expiresAt}), ${leases.expiresAt})`,
        },
      });
    const after = await readLease(db, name);
    if (after?.holder === holder) {
      return {
        workerId,
        fence: after.fence,
        previousExpiresAt: previousHolderEnd(before, after, ttlMs),
        startedMono,
        startedWall,
      };
    }
  }
  throw new NoFreeWorkerIdError(free.length);
}

/**
 * Every id a previous holder minted is stamped no later than its lease's expiry. If nobody slipped in
 * between our read and our upsert, that is the expiry we read; otherwise the database time of our
 * takeover (our expires_at minus the TTL), which is later than any expired holder's expiry.
 */
function previousHolderEnd(before: LeaseRow | undefined, after: LeaseRow, ttlMs: number): Date | null {
  if (!before) return after.fence === 1 ? null : new Date(after.expiresAt.getTime() - ttlMs);
  if (after.fence === before.fence + 1) return before.expiresAt;
  return new Date(after.expiresAt.getTime() - ttlMs);
}

/**
 * Expires the lease now rather than deleting it: the row keeps its fence, and expires_at (>= our last
 * id's time) tells the next holder where to start.
 */
async function releaseLease(db: Db, name: string, holder: string, fence: number): Promise<void> {
  await db
    .update(leases)
    .set({ expiresAt: sql`NOW(3)` })
    .where(and(eq(leases.name, name), eq(leases.holder, holder), eq(leases.fence, fence)));
}

async function readLease(db: Db, name: string): Promise<LeaseRow | undefined> {
  const rows = await db
    .select({ holder: leases.holder, fence: leases.fence, expiresAt: leases.expiresAt })
    .from(leases)
    .where(eq(leases.name, name));
  return rows[0];
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
  return items;
}
