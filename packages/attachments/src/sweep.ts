import type { Db } from "@parley/db";
import { deleteStaleUpload, listStaleUploads } from "@parley/db/queries";
import type { ObjectStorage } from "@parley/storage";
import { attachmentStorageKey } from "./keys";

export type SweepOptions = {
  /** An upload still unfinished this long after it started was cut by a crash (default 1 h). */
  olderThanMs?: number;
  batchSize?: number;
  maxBatches?: number;
  /** Checked before every batch: the worker stops between batches once its lease is in doubt. */
  shouldContinue?: () => boolean;
  now?: () => number;
};

export type SweepResult = { removed: number; fullBatches: boolean };

/**
 * Removes uploads a crash left unfinished: their bytes (the original and any preview) first, then
 * the row — the row is what finds them again, so a sweep cut between the two simply repeats. Each
 * row delete re-checks `uploading`, so a second worker or a retried batch is harmless. Runs once per
 * shard under the worker's lease (a shard-targeted scan of the (state, created_at) index).
 */
export async function sweepStaleUploads(
  deps: { db: Db; storage: ObjectStorage },
  options: SweepOptions = {},
): Promise<SweepResult> {
  const olderThanMs = options.olderThanMs ?? 60 * 60 * 1000;
  const batchSize = options.batchSize ?? 200;
  const maxBatches = options.maxBatches ?? 10;
  const now = options.now ?? Date.now;
  let removed = 0;
  let fullBatches = false;
  for (let batch = 0; batch < maxBatches; batch++) {
    if (options.shouldContinue && !options.shouldContinue()) break;
    const stale = await listStaleUploads(deps.db, new Date(now() - olderThanMs), batchSize);
    for (const upload of stale) {
      await deps.storage.delete(attachmentStorageKey(upload.scopeId, upload.id));
      await deps.storage.delete(attachmentStorageKey(upload.scopeId, upload.id, "thumb"));
      if (await deleteStaleUpload(deps.db, upload)) removed++;
    }
    fullBatches = stale.length === batchSize;
    if (!fullBatches) break;
  }
  return { removed, fullBatches };
}
