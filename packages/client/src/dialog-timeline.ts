import type { TMessage, TMessageEvent } from "@parley/protocol";
import { isChangeRow, withPageState, withQuoteOf, withTargetState } from "./message-state";
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
  private readonly ids = new Map<string, number>();
  /** Replies held, by the id of the message they quote (their quote follows its edits and delete). */
  private readonly repliesTo = new Map<string, Set<number>>();
  private sorted: TMessage[] | null = [];
  private visible: TMessage[] | null = [];
  /** Held messages whose content or state changed since the last takeUpdated(). */
  private readonly updated = new Map<string, TMessage>();
  /** Pushes ahead of top(), by prevSeq, until the gap before them closes. */
  private readonly early = new Map<number, TMessageEvent>();
  /** Highest seq the server said exists (dialog.changes / pushes); > top() means we are behind. */
  serverLastSeq = 0;

  constructor(
    readonly dialogId: string,
    ranges: readonly SeqRange[] = [],
    messages: readonly TMessage[] = [],
    /** Who reads this timeline: resolves "reacted by me" in pushes, which are the same for everyone. */
    private readonly viewerId?: string,
  ) {
    this.ranges = new SeqRanges(ranges);
    for (const message of messages) this.insert(message);
    this.updated.clear();
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
      const heldSeq = this.ids.get(message.id);
      const held = heldSeq === undefined ? undefined : this.bySeq.get(heldSeq);
      if (held) {
        const newer = withPageState(held, message, this.viewerId);
        if (newer) this.replace(newer);
        continue;
      }
      if (this.ranges.has(message.seq)) continue;
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

  /** Confirmed timeline rows in seq order, change rows included (cached until the next insert). */
  messages(): readonly TMessage[] {
    if (!this.sorted) this.sorted = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.sorted;
  }

  /** What a reader sees: messages (tombstones included) with their current state, no change rows. */
  visibleMessages(): readonly TMessage[] {
    if (!this.visible) this.visible = this.messages().filter((message) => !isChangeRow(message));
    return this.visible;
  }

  /** A held message by id. */
  byId(id: string): TMessage | undefined {
    const seq = this.ids.get(id);
    return seq === undefined ? undefined : this.bySeq.get(seq);
  }

  /** Messages whose state changed since the last call (to persist and re-render). */
  takeUpdated(): TMessage[] {
    const updated = [...this.updated.values()];
    this.updated.clear();
    return updated;
  }

  get size(): number {
    return this.bySeq.size;
  }

  private insert(message: TMessage): void {
    this.bySeq.set(message.seq, message);
    this.ids.set(message.id, message.seq);
    this.sorted = null;
    this.visible = null;
    if (message.reply) {
      let replies = this.repliesTo.get(message.reply.id);
      if (!replies) {
        replies = new Set();
        this.repliesTo.set(message.reply.id, replies);
      }
      replies.add(message.seq);
      const original = this.byId(message.reply.id);
      const quoted = original && withQuoteOf(message, original);
      if (quoted) this.replace(quoted);
    }
    if (message.target && isChangeRow(message)) {
      const held = this.byId(message.target.id);
      const changed = held && withTargetState(held, message.target, this.viewerId, message);
      if (changed) this.replace(changed);
    }
  }

  /** Swaps a held message for its newer state; quotes of it in replies follow. */
  private replace(message: TMessage): void {
    this.bySeq.set(message.seq, message);
    this.updated.set(message.id, message);
    this.sorted = null;
    this.visible = null;
    for (const seq of this.repliesTo.get(message.id) ?? []) {
      const reply = this.bySeq.get(seq);
      const quoted = reply && withQuoteOf(reply, message);
      if (quoted) {
        this.bySeq.set(seq, quoted);
        this.updated.set(quoted.id, quoted);
      }
    }
  }
}
