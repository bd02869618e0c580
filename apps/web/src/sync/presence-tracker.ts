/** What the UI shows for a person: online now, or when they were last seen (null: not known). */
export type PresenceState = { online: boolean; lastSeenAt: number | null };

const UNKNOWN: PresenceState = { online: false, lastSeenAt: null };

/**
 * Presence of the people this tab follows: live `presence` events from the gateway, over the stored
 * last-seen times the API answered (`presence.lastSeen`). A gateway that starts a watch knows only
 * "offline" (no time) for someone it never saw, so a live event never erases a known time with null.
 */
export class PresenceTracker {
  private readonly states = new Map<string, PresenceState>();
  private readonly listeners = new Set<() => void>();

  /** A live event from the gateway. */
  apply(userId: string, online: boolean, lastSeenAt: number | null): void {
    const known = this.states.get(userId);
    const next: PresenceState = {
      online,
      lastSeenAt: online ? (known?.lastSeenAt ?? null) : (lastSeenAt ?? known?.lastSeenAt ?? null),
    };
    this.set(userId, next);
  }

  /** A stored last-seen time (older than anything live, so it only fills a gap). */
  noteLastSeen(userId: string, lastSeenAt: number | null): void {
    const known = this.states.get(userId);
    if (lastSeenAt === null) return;
    if (known && known.lastSeenAt !== null && known.lastSeenAt >= lastSeenAt) return;
    this.set(userId, { online: known?.online ?? false, lastSeenAt });
  }

  get(userId: string): PresenceState {
    return this.states.get(userId) ?? UNKNOWN;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(userId: string, next: PresenceState): void {
    const known = this.states.get(userId);
    if (known && known.online === next.online && known.lastSeenAt === next.lastSeenAt) return;
    this.states.set(userId, next);
    for (const listener of this.listeners) listener();
  }
}
