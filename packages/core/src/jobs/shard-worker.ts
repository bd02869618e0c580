import { sweepStaleUploads } from "@parley/attachments/sweep";
import type { Db } from "@parley/db";
import { acquireLease, releaseLease, renewLease } from "@parley/db/queries";
import type { ObjectStorage } from "@parley/storage";
import type { EventPublisher } from "../services";
import { type CleanupOptions, type CleanupResult, cleanupAuthRows } from "./cleanup";
import { type ReconcileOptions, type ReconcileResult, reconcilePending } from "./reconciler";
import { type RelayOptions, type RelayResult, relayOutbox } from "./relay";

export type ShardWorkerOptions = {
  db: Db;
  events: EventPublisher;
  /** The shard this worker serves; one active worker per shard across all hosts. */
  shard: string;
  /** Unique per process (host:pid:random): the lease holder. */
  holder: string;
  leaseTtlMs?: number;
  tickMs?: number;
  relay?: Omit<RelayOptions, "shouldContinue">;
  reconcile?: Omit<ReconcileOptions, "shouldContinue">;
  /** Dead sessions, tokens and clients: a pass every `intervalMs` (sooner while a backlog remains). */
  cleanup?: Omit<CleanupOptions, "shouldContinue"> & { intervalMs?: number };
  /**
   * Uploads a crash left unfinished are removed (bytes and row) with each cleanup pass; absent = no
   * sweep (a worker without object storage configured).
   */
  uploads?: { storage: ObjectStorage; olderThanMs?: number };
  /** `cleanup` is null on the ticks where no cleanup pass was due. */
  onTick?: (tick: { relay: RelayResult; reconcile: ReconcileResult; cleanup: CleanupResult | null }) => void;
  log?: (line: string) => void;
};

export type ShardWorker = {
  /** True while this worker holds a live lease and runs the jobs. */
  isActive: () => boolean;
  fence: () => number | null;
  stop: () => Promise<void>;
};

export const leaseName = (shard: string) => `worker:${shard}`;

/**
 * Runs the relay, the reconciler and (far less often) the cleanup for one shard while holding a
 * fenced lease. Standby workers
 * keep trying to acquire it. The holder renews every tick; it trusts its lease only until
 * (start of the last successful renew + TTL − margin) by its own clock, and stops each job between
 * rows once that passes — so a paused or partitioned worker stops before another can take over.
 */
export function startShardWorker(options: ShardWorkerOptions): ShardWorker {
  const ttlMs = options.leaseTtlMs ?? 10_000;
  const tickMs = options.tickMs ?? 500;
  const cleanupIntervalMs = options.cleanup?.intervalMs ?? 60_000;
  const marginMs = Math.min(1_000, ttlMs / 4);
  const name = leaseName(options.shard);
  const log = options.log ?? (() => {});
  let fence: number | null = null;
  let validUntil = 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  let nextCleanupAt = 0;

  const holdsLease = () => fence !== null && !stopped && Date.now() < validUntil;

  async function refreshLease(): Promise<void> {
    const startedAt = Date.now();
    if (fence === null) {
      const lease = await acquireLease(options.db, name, options.holder, ttlMs);
      if (!lease) return;
      fence = lease.fence;
      log(`[worker] shard ${options.shard}: lease acquired (fence ${fence})`);
    } else if (!(await renewLease(options.db, name, options.holder, fence, ttlMs))) {
      log(`[worker] shard ${options.shard}: lease lost (fence ${fence}); standing by`);
      fence = null;
      return;
    }
    validUntil = startedAt + ttlMs - marginMs;
  }

  async function tick(): Promise<void> {
    await refreshLease();
    if (!holdsLease()) return;
    const relay = await relayOutbox(
      { db: options.db, events: options.events },
      { ...options.relay, shouldContinue: holdsLease },
    );
    const reconcile = await reconcilePending(options.db, {
      ...options.reconcile,
      shouldContinue: holdsLease,
    });
    options.onTick?.({ relay, reconcile, cleanup: await cleanupIfDue() });
  }

  async function cleanupIfDue(): Promise<CleanupResult | null> {
    if (Date.now() < nextCleanupAt || !holdsLease()) return null;
    // Scheduled before it runs: a pass that throws waits a full interval instead of retrying every tick.
    nextCleanupAt = Date.now() + cleanupIntervalMs;
    const cleanup = await cleanupAuthRows(options.db, { ...options.cleanup, shouldContinue: holdsLease });
    if (cleanup.hasMore) nextCleanupAt = 0;
    if (options.uploads) {
      const { storage, olderThanMs } = options.uploads;
      const swept = await sweepStaleUploads(
        { db: options.db, storage },
        { shouldContinue: holdsLease, ...(olderThanMs === undefined ? {} : { olderThanMs }) },
      );
      if (swept.removed > 0)
        log(`[worker] shard ${options.shard}: removed ${swept.removed} unfinished uploads`);
      if (swept.fullBatches) nextCleanupAt = 0;
    }
    return cleanup;
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await tick();
      } catch (error) {
        log(
          `[worker] shard ${options.shard}: tick failed: ${error instanceof Error ? error.message : error}`,
        );
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, tickMs);
      });
      wake = null;
    }
  })();

  return {
    isActive: holdsLease,
    fence: () => fence,
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
      if (fence !== null) {
        // Hand over at once instead of making a standby wait out the TTL.
        await releaseLease(options.db, name, options.holder, fence).catch(() => {});
        log(`[worker] shard ${options.shard}: lease released`);
        fence = null;
      }
    },
  };
}
