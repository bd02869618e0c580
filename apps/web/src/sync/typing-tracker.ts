/**
 * Who is typing where, from ephemeral typing events. Entries expire on their own (the event carries
 * `expiresAt`), so a lost "stopped typing" never leaves an indicator stuck.
 */
export class TypingTracker {
  private readonly byDialog = new Map<string, Map<string, number>>();
  private readonly snapshots = new Map<string, string[]>();
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  add(dialogId: string, userId: string, expiresAt: number): void {
    let users = this.byDialog.get(dialogId);
    if (!users) {
      users = new Map();
      this.byDialog.set(dialogId, users);
    }
    // Cap against a sender's clock: never show one event for more than 10 s.
    users.set(userId, Math.min(expiresAt, Date.now() + 10_000));
    this.changed(dialogId);
    this.schedule();
  }

  /** A message from someone ends their typing at once. */
  clear(dialogId: string, userId: string): void {
    if (this.byDialog.get(dialogId)?.delete(userId)) this.changed(dialogId);
  }

  usersIn(dialogId: string): string[] {
    return this.snapshots.get(dialogId) ?? EMPTY;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(dialogId: string): void {
    const users = this.byDialog.get(dialogId);
    this.snapshots.set(dialogId, users ? [...users.keys()] : EMPTY);
    for (const listener of this.listeners) listener();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      let pending = false;
      for (const [dialogId, users] of this.byDialog) {
        let removed = false;
        for (const [userId, expiresAt] of users) {
          if (expiresAt <= now) {
            users.delete(userId);
            removed = true;
          } else pending = true;
        }
        if (removed) this.changed(dialogId);
      }
      if (pending) this.schedule();
    }, 500);
  }
}

const EMPTY: string[] = [];
