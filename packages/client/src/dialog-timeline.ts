import type { TMessage, TMessageEvent } from "@parley/protocol";
import { type SeqRange, SeqRanges } from "./seq-ranges";

export type PushResult = "applied" | "duplicate" | "gap";

/**
 * Pushes that arrived ahead of a missing one are held (bounded) instead of dropped: consecutive
 * sends of one dialog finish their commits and publishes in any order, so most gaps close by
 * themselves within milliseconds, and a held push needs no fetch once its predecessor lands.
 */
const MAX_EARLY_PUSHES = 512;

/**
 * The confirmed messages of one dialog, keyed by seq (the one ordering key every client shares).
 * Pure logic, no I/O: the engine decides what to fetch from what this returns.
 */
export class DialogTimeline {
  readonly ranges: SeqRanges;
  private readonly bySeq = new Map<number, TMessage>();
  private readonly ids = new Set<string>();
  private sorted: TMessage[] | null = [];
  /** Pushes ahead of top(), by prevSeq, until the gap before them closes. */
  private readonly early = new Map<number, TMessageEvent>();
  /** Highest seq the server said exists (dialog.changes / pushes); > top() means we are behind. */
  serverLastSeq = 0;

  constructor(
    readonly dialogId: string,
    ranges: readonly SeqRange[] = [],
    messages: readonly TMessage[] = [],
  ) {
    this.ranges = new SeqRanges(ranges);
    for (const message of messages) this.insert(message);
    this.serverLastSeq = this.ranges.top();
  }

  top(): number {
    return this.ranges.top();
  }

  /**
   * Applies a live push only when it continues what we hold (prevSeq == top). Anything else is
   * either a duplicate (already held) or a gap the caller fills with dialog.sync from top().
   */
  applyPush(event: TMessageEvent): PushResult {
    this.serverLastSeq = Math.max(this.serverLastSeq, event.seq);
    if (this.ranges.has(event.seq) || this.ids.has(event.message.id)) return "duplicate";
    if (event.prevSeq !== this.top()) {
      if (event.prevSeq > this.top() && this.early.size < MAX_EARLY_PUSHES)
        this.early.set(event.prevSeq, event);
      return "gap";
    }
    this.insert(event.message);
    this.ranges.add(event.seq, event.seq);
    return "applied";
  }

  /** Held pushes that now continue top(), applied in seq order; stale ones are dropped. */
  drainEarly(): TMessage[] {
    const applied: TMessage[] = [];
    for (;;) {
      const next = this.early.get(this.top());
      if (!next) break;
      this.early.delete(this.top());
      if (this.ranges.has(next.seq) || this.ids.has(next.message.id)) continue;
      this.insert(next.message);
      this.ranges.add(next.seq, next.seq);
      applied.push(next.message);
    }
    for (const prevSeq of this.early.keys()) if (prevSeq < this.top()) this.early.delete(prevSeq);
    return applied;
  }

  /** True while pushes ahead of a gap are held (the gap is real until they drain). */
  hasEarly(): boolean {
    return this.early.size > 0;
  }

  /**
   * Applies a sync/history page covering (afterSeq, throughSeq]: timeline seqs are dense, so a page
   * proves the whole run even where a seq is invisible to us (before we joined). Returns the
   * messages that were new.
   */
  applyPage(afterSeq: number, throughSeq: number, messages: readonly TMessage[]): TMessage[] {
    const added: TMessage[] = [];
    for (const message of messages) {
      if (message.dialogId !== this.dialogId) continue;
      if (this.ranges.has(message.seq) || this.ids.has(message.id)) continue;
      this.insert(message);
      added.push(message);
    }
    this.ranges.add(afterSeq + 1, throughSeq);
    this.serverLastSeq = Math.max(this.serverLastSeq, throughSeq);
    added.sort((a, b) => a.seq - b.seq);
    return added;
  }

  isBehind(): boolean {
    return this.serverLastSeq > this.top();
  }

  hasMessage(id: string): boolean {
    return this.ids.has(id);
  }

  /** Confirmed messages in seq order (cached until the next insert). */
  messages(): readonly TMessage[] {
    if (!this.sorted) this.sorted = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.sorted;
  }

  get size(): number {
    return this.bySeq.size;
  }

  private insert(message: TMessage): void {
    this.bySeq.set(message.seq, message);
    this.ids.add(message.id);
    this.sorted = null;
  }
}
