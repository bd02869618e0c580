import type { TMessageContent } from "@parley/protocol";
import { type ApiError, type SendAck, type SendInput, toApiError } from "./api";
import { backoffDelay, randomId } from "./backoff";

export type OutgoingItem = {
  /** Stable for the UI across retries and renumbering. */
  localId: string;
  dialogId: string;
  content: TMessageContent;
  clientMsgId: string;
  clientSeq: number;
  state: "queued" | "inflight";
  attempts: number;
  createdAt: number;
};

export type SendQueueHooks = {
  send: (input: SendInput) => Promise<SendAck>;
  onAck: (item: OutgoingItem, ack: SendAck) => void;
  onFailed: (item: OutgoingItem, error: ApiError) => void;
  /** The numbering moved (renumbered or acked): persist it. */
  onClientSeq: (dialogId: string, nextClientSeq: number) => void;
};

const MAX_RENUMBERS = 5;

/**
 * One dialog's outgoing pipeline. Keeps the sender's order: clientSeqs are consecutive in send
 * order, up to `window` requests fly at once (the API waits briefly for a predecessor), retries reuse
 * the same clientMsgId (the server returns the original ack), and on any trouble the queue pauses,
 * lets in-flight requests settle, then resumes from the oldest unacked message in order.
 */
export class DialogSendQueue {
  readonly items: OutgoingItem[] = [];
  private inflight = 0;
  private paused = false;
  private recovering = false;
  private expectedClientSeq: number | null = null;
  private retryAttempt = 0;
  private renumbers = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private nextClientSeq: number;
  /** False for a new client or lost state: one request at a time until an ack fixes the numbering. */
  private isNumberingKnown: boolean;
  /** Items the server refused for good under their clientMsgId: they need a new one. */
  private readonly refused = new Set<OutgoingItem>();

  constructor(
    readonly dialogId: string,
    nextClientSeq: number | null,
    private readonly window: number,
    private readonly hooks: SendQueueHooks,
  ) {
    this.nextClientSeq = nextClientSeq ?? 1;
    this.isNumberingKnown = nextClientSeq !== null;
  }

  enqueue(content: TMessageContent): OutgoingItem {
    const item: OutgoingItem = {
      localId: randomId(),
      dialogId: this.dialogId,
      content,
      clientMsgId: randomId(),
      clientSeq: 0,
      state: "queued",
      attempts: 0,
      createdAt: Date.now(),
    };
    this.items.push(item);
    this.pump();
    return item;
  }

  get pending(): number {
    return this.items.length;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.stopped || this.paused) return;
    const limit = this.isNumberingKnown ? this.window : 1;
    for (const item of this.items) {
      if (this.inflight >= limit) return;
      if (item.state !== "queued") continue;
      if (item.clientSeq === 0) item.clientSeq = this.nextClientSeq++;
      this.dispatch(item);
    }
  }

  private dispatch(item: OutgoingItem): void {
    item.state = "inflight";
    item.attempts++;
    this.inflight++;
    const { dialogId, clientMsgId, clientSeq, content } = item;
    this.hooks.send({ dialogId, clientMsgId, clientSeq, content }).then(
      (ack) => {
        this.inflight--;
        this.remove(item);
        this.retryAttempt = 0;
        this.renumbers = 0;
        this.isNumberingKnown = true;
        this.hooks.onAck(item, ack);
        this.hooks.onClientSeq(this.dialogId, this.nextClientSeq);
        this.afterSettle();
      },
      (raw: unknown) => {
        this.inflight--;
        this.onError(item, toApiError(raw));
      },
    );
  }

  private onError(item: OutgoingItem, error: ApiError): void {
    item.state = "queued";
    const expected = error.expectedClientSeq;
    const isFirst = this.items[0] === item;
    if (error.retryable) {
      this.paused = true;
    } else if (error.code === "CONFLICT" && expected !== null && !isFirst) {
      // Ahead of a predecessor of ours that has not landed yet: retry in order, same ids.
      this.paused = true;
    } else if (expected !== null && this.renumbers < MAX_RENUMBERS) {
      // Our numbering is off (lost state) or this message failed for good: renumber from the
      // server's expectation, with new clientMsgIds (a refused id can never commit).
      this.paused = true;
      this.refused.add(item);
      this.expectedClientSeq = Math.max(this.expectedClientSeq ?? 0, expected);
    } else {
      this.remove(item);
      this.hooks.onFailed(item, error);
    }
    this.afterSettle();
  }

  private afterSettle(): void {
    if (!this.paused) {
      this.pump();
      return;
    }
    if (this.inflight > 0 || this.recovering) return;
    this.recovering = true;
    const delay = backoffDelay(this.retryAttempt++, { baseMs: 50, maxMs: 5_000 });
    this.timer = setTimeout(() => this.recover(), delay);
  }

  private recover(): void {
    this.timer = null;
    this.recovering = false;
    const expected = this.expectedClientSeq;
    this.expectedClientSeq = null;
    if (expected !== null) {
      this.renumbers++;
      let next = expected;
      for (const item of this.items) {
        if (item.clientSeq === 0) continue;
        if (item.clientSeq !== next || this.refused.has(item)) item.clientMsgId = randomId();
        item.clientSeq = next++;
      }
      this.refused.clear();
      this.nextClientSeq = next;
      this.isNumberingKnown = true;
      this.hooks.onClientSeq(this.dialogId, next);
    }
    this.paused = false;
    this.pump();
  }

  private remove(item: OutgoingItem): void {
    this.refused.delete(item);
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }
}
