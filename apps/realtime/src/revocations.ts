import { REALTIME_TOKEN_TTL_SECONDS } from "@parley/protocol";

/**
 * After this, every token minted before the API saw the revoke has expired: token life, clock skew
 * both ways, and the API's own revocation cache (seconds) with room to spare.
 */
const RETENTION_MARGIN_MS = 15_000;
/**
 * Revokes are rare (a user's sign-ins and tab opens are budgeted); past this many remembered at once,
 * the set is dropped and every older token refused instead, which is just as safe.
 */
const MAX_REMEMBERED = 100_000;

export type TokenRefusal = "revoked" | "before-listening" | null;

/**
 * Gateways verify realtime tokens without a database, so a revoked client's token would open sockets
 * until it expires. Every gateway hears every revoke (one wildcard subscription) and remembers the
 * client for one token lifetime. A token minted before the gateway could hear revokes (start-up, a
 * NATS outage) may belong to a client revoked meanwhile: it is refused, and the client fetches a
 * fresh one — which the API does not mint for a revoked client.
 */
export class Revocations {
  private readonly revokedUntil = new Map<string, number>();
  /** Since when revokes reach this process without a gap; +Infinity while it cannot hear them. */
  private listeningSince = Number.POSITIVE_INFINITY;
  private readonly retentionMs: number;

  constructor(skewMs: number) {
    this.retentionMs = REALTIME_TOKEN_TTL_SECONDS * 1000 + 2 * skewMs + RETENTION_MARGIN_MS;
  }

  get size(): number {
    return this.revokedUntil.size;
  }

  /** The revoke subscription is live at NATS (after its flush). */
  listening(now: number): void {
    this.listeningSince = now;
  }

  /** NATS is gone: revokes published now are lost to this process. */
  deaf(): void {
    this.listeningSince = Number.POSITIVE_INFINITY;
  }

  add(clientId: string, now: number): void {
    if (this.revokedUntil.size >= MAX_REMEMBERED) {
      this.revokedUntil.clear();
      this.listeningSince = now;
    }
    this.revokedUntil.set(clientId, now + this.retentionMs);
  }

  /** `issuedAt` is in ms but whole seconds: a token is "before" only if its whole second was. */
  check(clientId: string, issuedAt: number, now: number): TokenRefusal {
    const until = this.revokedUntil.get(clientId);
    if (until !== undefined && until > now) return "revoked";
    if (issuedAt + 1000 <= this.listeningSince) return "before-listening";
    return null;
  }

  prune(now: number): void {
    for (const [clientId, until] of this.revokedUntil) {
      if (until <= now) this.revokedUntil.delete(clientId);
    }
  }
}
