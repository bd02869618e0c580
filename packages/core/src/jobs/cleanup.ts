import type { Db } from "@parley/db";
import {
  deleteExpiredTokenRows,
  deleteLapsedTabClients,
  deleteRevokedClients,
  listExpiredTokenRows,
  listLongRevokedClients,
} from "@parley/db/queries";

const DAY_MS = 24 * 60 * 60 * 1000;

export type CleanupOptions = {
  /**
   * How long an expired token row (session, refresh token) is kept past its expiry, and a browser
   * tab past its revocation or the lapse of its last refresh token. Must dwarf clock skew between
   * API processes and the refresh grace (seconds): a spent refresh token replayed before its own
   * expiry must still find its row and revoke its family.
   */
  tokenRetentionMs?: number;
  /** How long a revoked phone, browser or CLI stays (the devices page lists revoked clients). */
  deviceRetentionMs?: number;
  batchSize?: number;
  /** Batches per kind per pass: bounds the time one pass holds the shard's worker loop. */
  maxBatches?: number;
  /** Checked before each batch: a worker that lost its lease stops between batches. */
  shouldContinue?: () => boolean;
  now?: () => Date;
};

export type CleanupResult = {
  /** Token rows deleted for being long expired. */
  expiredTokens: number;
  /** Browser tabs deleted because their last refresh token lapsed long ago. */
  lapsedTabs: number;
  /** Revoked clients deleted (tabs and devices), and the token rows they still held. */
  revokedClients: number;
  revokedClientTokens: number;
  /** A kind hit `maxBatches` with full batches: more is waiting, run again soon. */
  hasMore: boolean;
};

export const cleanupDeletedSomething = (result: CleanupResult) =>
  result.expiredTokens + result.lapsedTabs + result.revokedClients + result.revokedClientTokens > 0;

/**
 * Deletes dead auth rows on one shard (docs/design.md, "Cleanup"). Idempotent: every delete
 * re-checks its condition, so a retried batch or a second worker is harmless; the lease only keeps
 * shards from doing the work twice.
 */
export async function cleanupAuthRows(db: Db, options: CleanupOptions = {}): Promise<CleanupResult> {
  const now = (options.now?.() ?? new Date()).getTime();
  const tokensExpiredBefore = new Date(now - (options.tokenRetentionMs ?? 7 * DAY_MS));
  const cutoffs = {
    tabsRevokedBefore: tokensExpiredBefore,
    devicesRevokedBefore: new Date(now - (options.deviceRetentionMs ?? 90 * DAY_MS)),
  };
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  const shouldContinue = options.shouldContinue ?? (() => true);
  const result: CleanupResult = {
    expiredTokens: 0,
    lapsedTabs: 0,
    revokedClients: 0,
    revokedClientTokens: 0,
    hasMore: false,
  };

  /** Runs `batch` until it comes back short, the budget is spent, or the lease is gone. */
  async function drain(batch: () => Promise<number>): Promise<void> {
    for (let done = 0; done < maxBatches; done++) {
      if (!shouldContinue()) return;
      if ((await batch()) < batchSize) return;
    }
    result.hasMore = true;
  }

  await drain(async () => {
    const rows = await listExpiredTokenRows(db, tokensExpiredBefore, batchSize);
    // Tabs first, while their rows still name them; a crash before the rows go only repeats this.
    result.lapsedTabs += await deleteLapsedTabClients(db, rows, tokensExpiredBefore);
    result.expiredTokens += await deleteExpiredTokenRows(db, rows, tokensExpiredBefore);
    return rows.length;
  });
  await drain(async () => {
    const clients = await listLongRevokedClients(db, cutoffs, batchSize);
    const deleted = await deleteRevokedClients(db, clients);
    result.revokedClients += deleted.clients;
    result.revokedClientTokens += deleted.tokens;
    return clients.length;
  });
  return result;
}
