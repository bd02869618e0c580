/** A user's name and avatar as a profile event or an API read told it, with its version. */
export type ProfileUpdate = { displayName: string; avatarUrl: string | null; version: number };

/**
 * Profile changes pushed while this tab runs. Names the server rendered with (the profile seed) and
 * cached `user.byIds` answers are merged with these by version, so a rename shows at once without
 * refetching every name, and an older answer still in a cache never hides a newer push.
 */
export class ProfileUpdates {
  private readonly updates = new Map<string, ProfileUpdate>();
  private readonly listeners = new Set<() => void>();
  private revision = 0;

  apply(userId: string, update: ProfileUpdate): void {
    const known = this.updates.get(userId);
    if (known && known.version >= update.version) return;
    this.updates.set(userId, update);
    this.revision++;
    for (const listener of this.listeners) listener();
  }

  get(userId: string): ProfileUpdate | undefined {
    return this.updates.get(userId);
  }

  /** Changes whenever any update is applied (a useSyncExternalStore snapshot). */
  current = (): number => this.revision;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
