import type { TGroupInfoEvent, TProfileEvent } from "@parley/protocol";

/**
 * The newest profile of each user and group this engine has seen, by version. Profile events travel
 * at most once and in any order (a relay may repeat one, two API processes may publish two changes
 * out of order), and an API read may be newer than a push still in flight: only a higher version
 * replaces what is held, so every client ends on the newest name whatever the order.
 */
export class ProfileVersions {
  private readonly users = new Map<string, TProfileEvent>();
  private readonly groups = new Map<string, TGroupInfoEvent>();

  /** True when the event is newer than anything held (then it is held). */
  applyProfile(event: TProfileEvent): boolean {
    return newer(this.users, event.userId, event);
  }

  applyGroupInfo(event: TGroupInfoEvent): boolean {
    return newer(this.groups, event.dialogId, event);
  }

  /** Every user this engine holds a profile of (to read again after a reconnect). */
  userIds(): string[] {
    return [...this.users.keys()];
  }

  profile(userId: string): TProfileEvent | undefined {
    return this.users.get(userId);
  }

  groupInfo(dialogId: string): TGroupInfoEvent | undefined {
    return this.groups.get(dialogId);
  }
}

function newer<T extends { version: number }>(held: Map<string, T>, key: string, next: T): boolean {
  const current = held.get(key);
  if (current && current.version >= next.version) return false;
  held.set(key, next);
  return true;
}
