import type { TSendContent } from "@parley/protocol";
import { type ApiError, type SendAck, type SendInput, toApiError } from "./api";
import { backoffDelay, randomId } from "./backoff";

export type OutgoingItem = {
  /** Stable for the UI across retries and renumbering. */
  localId: string;
  dialogId: string;
  content: TSendContent;
  clientMsgId: string;
  clientSeq: number;
  state: "queued" | "inflight";
  attempts: number;
  createdAt: number;
  /** Local send order in the dialog (survives restarts): "later" means a higher order. */
  order?: number;
  /**
   * What the last answer proved: "new" never sent; "ahead"/"refused" not committed under this
   * clientMsgId; "uncertain" (network, busy) may have committed. Restored items start "uncertain".
   */
  outcome?: "new" | "ahead" | "refused" | "uncertain";
  /**
   * In memory only: the content is still being prepared (its files uploading). The item holds its
   * place and clientSeq; neither it nor any later item is dispatched until it is ready.
   */
  preparing?: boolean;
};

export type SendQueueHooks = {
  send: (input: SendInput) => Promise<SendAck>;
  onAck: (item: OutgoingItem, ack: SendAck) => void;
  onFailed: (item: OutgoingItem, error: ApiError) => void;
  /** The numbering moved (renumbered or acked): persist it. */
  onClientSeq: (dialogId: string, nextClientSeq: number) => void;
  /**
   * Write-ahead persistence of an item (clientMsgId, clientSeq, content…). Called on enqueue and
   * awaited before every dispatch, so a restart never resends under ids that were not saved.
   */
  persist?: (item: OutgoingItem) => Promise<void>;
  /** The item left the pipeline (acked): drop it from persistence. */
  forget?: (item: OutgoingItem) => void;
};

const MAX_RENUMBERS = 5;
/** A paused queue resumes after this backoff (in-flight answers settled first). */
const SEND_RETRY_BACKOFF = { baseMs: 50, maxMs: 5_000 };

/**
 * One dialog's outgoing pipeline. Keeps the sender's order: clientSeqs are consecutive in send
 * order, up to `window` requests fly at once (the API waits briefly for a predecessor), retries reuse
 * the same clientMsgId (the server returns the original ack), and on any trouble the queue pauses,
 * lets in-flight requests settle, then resumes from the oldest unacked message in order.
 *
 * A message refused for good is renumbered and resent only while no later message of ours can have
 * committed; once one has (it was acked), resending would put the refused one after it, so it fails
 * in place instead (`onFailed`) and the user may send it again as a new message. A later message
 * whose fate is unknown (network error) is first retried under its own ids to learn it.
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
  private readonly refused = new Map<OutgoingItem, ApiError>();
  /** Highest send order acked so far (persisted by the engine): "a later message committed". */
  private ackedOrder: number;
  private nextOrder: number;
  /** Highest clientSeq the server acked: an "ahead" answer expecting at most this is stale. */
  private ackedClientSeq = 0;
  /** Not pumping until released (the engine restores persisted items first). */
  private held: boolean;

  constructor(
    readonly dialogId: string,
    nextClientSeq: number | null,
    private readonly window: number,
    private readonly hooks: SendQueueHooks,
    options: { held?: boolean; ackedOrder?: number } = {},
  ) {
    this.nextClientSeq = nextClientSeq ?? 1;
    this.isNumberingKnown = nextClientSeq !== null;
    this.held = options.held ?? false;
    this.ackedOrder = options.ackedOrder ?? 0;
    this.nextOrder = this.ackedOrder + 1;
  }

  enqueue(content: TSendContent, localId: string = randomId()): OutgoingItem {
    const item: OutgoingItem = {
      localId,
      dialogId: this.dialogId,
      content,
      clientMsgId: randomId(),
      clientSeq: 0,
      state: "queued",
      attempts: 0,
      createdAt: Date.now(),
      order: this.nextOrder++,
      outcome: "new",
    };
    this.items.push(item);
    this.save(item);
    this.pump();
    return item;
  }

  /**
   * Puts persisted items (a previous run's unacked sends) back in front, with the SAME clientMsgId
   * and clientSeq: a resend of one that committed gets its original ack, so each lands once.
   */
  restore(
    restored: readonly OutgoingItem[],
    floors: { nextClientSeq?: number; ackedOrder?: number; nextOrder?: number } = {},
  ): void {
    const sorted = [...restored].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    this.nextClientSeq = Math.max(this.nextClientSeq, floors.nextClientSeq ?? 1);
    this.ackedOrder = Math.max(this.ackedOrder, floors.ackedOrder ?? 0);
    this.nextOrder = Math.max(this.nextOrder, this.ackedOrder + 1, floors.nextOrder ?? 1);
    const later = this.items.splice(0);
    for (const item of sorted) {
      this.items.push({
        ...item,
        dialogId: this.dialogId,
        state: "queued",
        outcome: item.clientSeq > 0 ? "uncertain" : "new",
      });
      this.nextClientSeq = Math.max(this.nextClientSeq, item.clientSeq + 1);
      this.nextOrder = Math.max(this.nextOrder, (item.order ?? 0) + 1);
    }
    // Sent before the restore finished (held, so never dispatched): they come after, in order.
    for (const item of later) {
      item.order = this.nextOrder++;
      this.items.push(item);
      this.save(item);
    }
    this.pump();
  }

  /**
   * Queues a message whose content is not ready yet (files uploading): it takes its place in the
   * sender's order now — a later message waits behind it — and goes out once `prepare` resolves
   * with the content to send. If preparing fails, the message fails in place (`onFailed`, so the
   * user can retry or delete it) and the queue moves on: its number was never sent, so it is given
   * back when nothing after it has been numbered.
   */
  enqueuePrepared(
    draft: OutgoingItem["content"],
    prepare: Promise<OutgoingItem["content"]>,
    localId: string = randomId(),
  ): OutgoingItem {
    const wasHeld = this.held;
    this.held = true;
    const item = this.enqueue(draft, localId);
    this.held = wasHeld;
    item.preparing = true;
    prepare.then(
      (content) => {
        if (this.stopped || !this.items.includes(item)) return;
        item.content = content;
        item.preparing = false;
        void this.save(item);
        this.pump();
      },
      (raw: unknown) => {
        if (this.stopped || !this.items.includes(item)) return;
        item.preparing = false;
        const index = this.items.indexOf(item);
        const isLastNumbered = this.items.slice(index + 1).every((later) => later.clientSeq === 0);
        if (item.clientSeq !== 0 && item.clientSeq === this.nextClientSeq - 1 && isLastNumbered) {
          this.nextClientSeq--;
          item.clientSeq = 0;
        }
        this.remove(item);
        this.hooks.onFailed(item, toApiError(raw));
        this.pump();
      },
    );
    this.pump();
    return item;
  }

  /** Starts pumping (after restore). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.pump();
  }

  get pending(): number {
    return this.items.length;
  }

  /** Highest acked send order: persist it with the checkpoint. */
  get lastAckedOrder(): number {
    return this.ackedOrder;
  }

  /** Stops for good: timers cleared, answers still in flight are ignored (the store keeps the items). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private save(item: OutgoingItem): Promise<void> {
    const saving = this.hooks.persist?.(item) ?? Promise.resolve();
    return saving.catch(() => undefined);
  }

  private pump(): void {
    if (this.stopped || this.paused || this.held) return;
    const limit = this.isNumberingKnown ? this.window : 1;
    for (const item of this.items) {
      if (this.inflight >= limit) return;
      if (item.state !== "queued") continue;
      if (item.clientSeq === 0) item.clientSeq = this.nextClientSeq++;
      // Still uploading: it has its number and place, and nothing after it may overtake it.
      if (item.preparing) return;
      this.dispatch(item);
    }
  }

  private dispatch(item: OutgoingItem): void {
    item.state = "inflight";
    item.attempts++;
    this.inflight++;
    const { dialogId, clientMsgId, clientSeq, content } = item;
    // Write-ahead: these ids are on disk before any request carries them.
    void this.save(item)
      .then(() => {
        if (this.stopped) return new Promise<SendAck>(() => {});
        return this.hooks.send({ dialogId, clientMsgId, clientSeq, content });
      })
      .then(
        (ack) => {
          if (this.stopped) return;
          this.inflight--;
          this.remove(item);
          this.retryAttempt = 0;
          this.renumbers = 0;
          this.isNumberingKnown = true;
          this.ackedOrder = Math.max(this.ackedOrder, item.order ?? 0);
          this.ackedClientSeq = Math.max(this.ackedClientSeq, item.clientSeq);
          this.hooks.onAck(item, ack);
          this.hooks.forget?.(item);
          this.hooks.onClientSeq(this.dialogId, this.nextClientSeq);
          this.afterSettle();
        },
        (raw: unknown) => {
          if (this.stopped) return;
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
      item.outcome = "uncertain";
      this.paused = true;
    } else if (
      error.code === "CONFLICT" &&
      expected !== null &&
      (!isFirst || expected <= this.ackedClientSeq)
    ) {
      // Ahead of a predecessor of ours that has not landed yet — or the answer was decided before
      // a predecessor committed and reached us after its ack (same HTTP batch, slow server): retry
      // in order, same ids.
      item.outcome = "ahead";
      this.paused = true;
    } else if (error.code === "CONFLICT" && expected !== null && this.renumbers < MAX_RENUMBERS) {
      // A real hole below this one (a predecessor refused before the server saw its number, or a
      // stale checkpoint): renumber from the server's expectation, but this message keeps its
      // clientMsgId — it may be tried (a pending row the server would still commit), and the row
      // takes the new number, so it can only ever commit once.
      item.outcome = "ahead";
      this.paused = true;
      this.expectedClientSeq = Math.max(this.expectedClientSeq ?? 0, expected);
    } else if (expected !== null && this.renumbers < MAX_RENUMBERS) {
      // Refused for good under this clientMsgId (its number was used): renumber from the server's
      // expectation with a new clientMsgId (a refused id can never commit) — unless a later message
      // of ours committed meanwhile (see recover).
      item.outcome = "refused";
      this.paused = true;
      this.refused.set(item, error);
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
    const delay = backoffDelay(this.retryAttempt++, SEND_RETRY_BACKOFF);
    this.timer = setTimeout(() => this.recover(), delay);
  }

  private recover(): void {
    this.timer = null;
    this.recovering = false;
    if (this.stopped) return;
    // Renumbering gives new ids: never to a message that may have committed under its old one.
    // Learn the fate of those first (same ids); the refused ones wait.
    if (this.refused.size > 0 && this.items.some((i) => i.outcome === "uncertain")) {
      // Still paused: when these settle, afterSettle brings us back here to decide.
      for (const item of this.items) {
        if (this.inflight >= this.window) break;
        if (item.outcome === "uncertain" && !this.refused.has(item)) this.dispatch(item);
      }
      return;
    }
    // Refused for good while a later message of ours committed: a resend would land after it and
    // break the sender's order on every screen. It fails in place; the user may send it again.
    let overtaken = 0;
    for (const [item, error] of [...this.refused]) {
      if (this.ackedOrder <= (item.order ?? 0)) continue;
      overtaken++;
      this.remove(item);
      this.hooks.onFailed(item, error);
    }
    const expected = this.expectedClientSeq;
    this.expectedClientSeq = null;
    // When every refused one failed in place, the rest keep their numbers (the server corrects us).
    if (expected !== null && (this.refused.size > 0 || overtaken === 0)) {
      this.renumbers++;
      let next = expected;
      for (const item of this.items) {
        if (item.clientSeq === 0) continue;
        // A refused id is tombstoned and can never commit: it needs a new one. Any other item keeps
        // its clientMsgId — its Try row may exist, and the server moves a pending row to the new
        // clientSeq — so one message is one row and can never commit twice.
        if (this.refused.has(item)) {
          item.clientMsgId = randomId();
          item.outcome = "new";
        }
        item.clientSeq = next++;
      }
      this.nextClientSeq = next;
      this.isNumberingKnown = true;
      this.hooks.onClientSeq(this.dialogId, next);
    }
    this.refused.clear();
    this.paused = false;
    this.pump();
  }

  private remove(item: OutgoingItem): void {
    this.refused.delete(item);
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }
}
