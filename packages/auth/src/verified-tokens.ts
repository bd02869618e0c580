/**
 * Access tokens this process has verified, until they expire: a client sends the same bearer token
 * on every request for up to 15 minutes, and an Ed25519 check per request was ~5 % of the API's CPU
 * per message. Keyed by the token text itself (the process holds it anyway; it never leaves memory),
 * so only the exact bytes that passed verification hit. Revocation is not this cache's business: the
 * API checks the client's revoked_at on every call, as before.
 */
const MAX_ENTRIES = 50_000;

export type VerifiedToken = { userId: string; clientId: string; expiresAt: number };

export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();

  get(token: string, now = Date.now()): VerifiedToken | null {
    const hit = this.entries.get(token);
    if (!hit) return null;
    if (hit.expiresAt <= now) {
      this.entries.delete(token);
      return null;
    }
    return hit;
  }

  set(token: string, verified: VerifiedToken): void {
    if (this.entries.size >= MAX_ENTRIES) {
      // Oldest first: insertion order is roughly expiry order (all tokens live the same time).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, verified);
  }
}
