import type { ChatApi } from "./api";

/** Delivered watermarks are written at most this often (one write per dialog, not per message). */
export const DELIVERED_DEBOUNCE_MS = 1_000;

type Mark = (input: { dialogId: string; seq: number }) => Promise<void>;

/**
 * Tells the API how far this client received (dialog.markDelivered): every dialog that got messages
 * since the last report, up to what the engine holds, debounced.
 */
export class DeliveredReports {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly dirty = new Set<string>();

  constructor(
    private readonly markDelivered: ChatApi["markDelivered"],
    private readonly heldSeq: (dialogId: string) => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  received(dialogId: string): void {
    this.dirty.add(dialogId);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const id of this.dirty) {
        this.markDelivered({ dialogId: id, seq: this.heldSeq(id) }).catch(this.onError);
      }
      this.dirty.clear();
    }, DELIVERED_DEBOUNCE_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

type Waiter = () => void;

/**
 * Tells the API what the user has seen (dialog.markRead), per dialog at most once per `debounceMs`
 * and only forward: a UI may report every message that scrolls into view, in any order, and every
 * client (web, mobile) gets the same economy.
 */
export class ReadReports {
  /** Highest seq asked for per dialog. */
  private readonly wanted = new Map<string, number>();
  /** Highest seq sent per dialog (lowered again when that write fails). */
  private readonly sent = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    private readonly markRead: Mark,
    private readonly debounceMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Resolves once the report covering `seq` was answered, or at once when one already went out.
   * Never rejects: a failure goes to onError, and the next report of that seq tries again.
   */
  report(dialogId: string, seq: number): Promise<void> {
    if (seq <= (this.sent.get(dialogId) ?? 0)) return Promise.resolve();
    const answered = new Promise<void>((resolve) => {
      this.waiters.set(dialogId, [...(this.waiters.get(dialogId) ?? []), resolve]);
    });
    this.wanted.set(dialogId, Math.max(seq, this.wanted.get(dialogId) ?? 0));
    if (!this.timers.has(dialogId)) {
      this.timers.set(
        dialogId,
        setTimeout(() => void this.flush(dialogId), this.debounceMs),
      );
    }
    return answered;
  }

  /** Reports not yet sent are dropped (the engine stopped); whoever waits on them is released. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiting of this.waiters.values()) for (const resolve of waiting) resolve();
    this.waiters.clear();
  }

  private async flush(dialogId: string): Promise<void> {
    this.timers.delete(dialogId);
    const waiting = this.waiters.get(dialogId) ?? [];
    this.waiters.delete(dialogId);
    const seq = this.wanted.get(dialogId) ?? 0;
    const before = this.sent.get(dialogId) ?? 0;
    if (seq > before) {
      this.sent.set(dialogId, seq);
      try {
        await this.markRead({ dialogId, seq });
      } catch (error) {
        // Not written: the next report of this seq tries again.
        if (this.sent.get(dialogId) === seq) this.sent.set(dialogId, before);
        this.onError(error);
      }
    }
    for (const resolve of waiting) resolve();
  }
}
