import type { Db } from "@parley/db";
import { deleteOutboxRows } from "@parley/db/queries";
import type { EventPublisher } from "../../ports";

/**
 * A batch waits up to this long: every DELETE is a commit (an fsync and ~0.3 ms of MariaDB CPU
 * here), so one per 50 ms instead of one per message or two. A row lives ≤ ~50 ms longer than its
 * publish — far below the relay's 1.5 s threshold, so the relay does not republish it meanwhile.
 */
const FLUSH_AFTER_MS = 50;
const MAX_BATCH = 200;

export type OutboxCleaner = {
  pending: { dialogId: string; id: string }[];
  timer: ReturnType<typeof setTimeout> | null;
  /** Deletes sent and not answered yet. */
  inflight: Set<Promise<void>>;
};

export function createOutboxCleaner(): OutboxCleaner {
  return { pending: [], timer: null, inflight: new Set() };
}

/** The publisher whose flush confirms a batch, the database its rows are deleted from, the batch. */
type CleanerDeps = { db: Db; events: EventPublisher; outbox: OutboxCleaner };

/**
 * Step 5's "then delete the outbox row", off the ack path and batched: one NATS flush and one DELETE
 * (one commit, one fsync) for every row published in the last FLUSH_AFTER_MS instead of one per message. A row
 * whose delete is lost (crash) is republished by the relay; clients dedupe by seq.
 */
export function scheduleOutboxDelete(deps: CleanerDeps, row: { dialogId: string; id: string }): void {
  const cleaner = deps.outbox;
  cleaner.pending.push(row);
  if (cleaner.pending.length >= MAX_BATCH) {
    flush(deps);
    return;
  }
  if (!cleaner.timer) cleaner.timer = setTimeout(() => flush(deps), FLUSH_AFTER_MS);
}

/** Resolves once every delete scheduled so far has been written (tests, clean shutdown). */
export async function flushOutboxDeletes(deps: CleanerDeps): Promise<void> {
  void flush(deps);
  await Promise.all([...deps.outbox.inflight]);
}

function flush({ db, events, outbox: cleaner }: CleanerDeps): Promise<void> {
  if (cleaner.timer) clearTimeout(cleaner.timer);
  cleaner.timer = null;
  const batch = cleaner.pending.splice(0, cleaner.pending.length);
  if (batch.length === 0) return Promise.resolve();
  // One flush confirms every publish of the batch (they went out before it on the same connection).
  // No confirmation, no delete: the relay republishes the rows; clients dedupe by seq.
  const confirmed = events.flush ? events.flush() : Promise.resolve();
  const deleting = confirmed
    .then(() => deleteOutboxRows(db, batch))
    .catch((error: unknown) => {
      console.warn(
        "[send] outbox cleanup deferred to the relay:",
        error instanceof Error ? error.message : error,
      );
    })
    .finally(() => cleaner.inflight.delete(deleting));
  cleaner.inflight.add(deleting);
  return deleting;
}
