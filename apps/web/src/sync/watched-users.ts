import { MAX_PRESENCE_WATCH } from "@parley/protocol";

/**
 * The users whose presence this tab follows: the union of what every mounted view asked for (the
 * inbox's direct peers, the open conversation's members), capped at what one watch may name. Views
 * come and go; each change is one `presence.watch` with a fresh ticket, so changes are coalesced.
 */
export class WatchedUsers {
  private readonly sets = new Map<number, readonly string[]>();
  private readonly listeners = new Set<() => void>();
  private nextKey = 0;
  private last = "";
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Adds a set of users; the returned function removes it again. */
  add(userIds: readonly string[]): () => void {
    const key = this.nextKey++;
    this.sets.set(key, userIds);
    this.changed();
    return () => {
      this.sets.delete(key);
      this.changed();
    };
  }

  userIds(): string[] {
    const all = new Set<string>();
    for (const set of this.sets.values()) for (const id of set) all.add(id);
    return [...all].sort().slice(0, MAX_PRESENCE_WATCH);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const next = this.userIds().join(",");
      if (next === this.last) return;
      this.last = next;
      for (const listener of this.listeners) listener();
    }, 100);
  }
}
