import type { WindowVerdict } from "@parley/auth";

/**
 * A per-process allowance taken from a shared (Redis) fixed-window budget in chunks: a process
 * reserves `chunk` hits at once and spends them locally, so the hot budgets (every send, every sync)
 * cost one Redis round trip per chunk instead of one per request. The shared counter still bounds
 * the total: a client spread over P processes may be refused up to (P−1)·chunk hits early (leased
 * but unspent elsewhere), never let past the limit. A lease lives one window at most.
 */
const MAX_LEASES = 100_000;

type Lease = { remaining: number; until: number };

export class BudgetLeases {
  private readonly leases = new Map<string, Lease>();

  /**
   * Spends one hit of `key`. `take(n)` reserves n hits of the shared budget (the Redis counter) and
   * says whether they fit; when a whole chunk no longer fits, a single hit is tried before refusing.
   */
  async spend(
    key: string,
    max: number,
    windowMs: number,
    take: (hits: number) => Promise<WindowVerdict>,
    now = Date.now(),
  ): Promise<WindowVerdict> {
    const lease = this.leases.get(key);
    if (lease && lease.until > now && lease.remaining > 0) {
      lease.remaining--;
      return { allowed: true };
    }
    const chunk = chunkOf(max);
    if (chunk > 1) {
      const verdict = await take(chunk);
      if (verdict.allowed) {
        this.keep(key, { remaining: chunk - 1, until: now + windowMs });
        return verdict;
      }
    }
    this.leases.delete(key);
    return take(1);
  }

  private keep(key: string, lease: Lease): void {
    this.leases.delete(key);
    if (this.leases.size >= MAX_LEASES) {
      const oldest = this.leases.keys().next();
      if (!oldest.done) this.leases.delete(oldest.value);
    }
    this.leases.set(key, lease);
  }
}

/** A twentieth of the budget: 30 of the default 600 sends per 10 s, 6 of 120 syncs. */
export function chunkOf(max: number): number {
  return Math.max(1, Math.floor(max / 20));
}
