/**
 * One sender's sends in one dialog, with the client side of the send path's rules: consecutive
 * clientSeqs per (dialog, client), at most `window` unacked at once; a retryable error or a CONFLICT
 * "ahead" (an earlier clientSeq has not committed yet) is retried with the SAME clientMsgId and
 * clientSeq; only a final refusal fails a message. After one, the unacked messages behind it take
 * new clientMsgIds and consecutive clientSeqs from the server's expectedClientSeq (the refused one
 * can never commit, so nothing behind it could either).
 */
import { z } from "zod";
import { type BenchUser, bearer } from "./population";
import type { DeliveryLog, MessageRecord } from "./receivers";
import { CallError, type TrpcHttp } from "./trpc-http";

export type SendStats = {
  acked: number;
  failed: number;
  /** Final refusals by "CODE: message". */
  failReasons: Record<string, number>;
  /** Retries after a retryable error, by code. */
  retries: Record<string, number>;
  /** Retries after CONFLICT "ahead". */
  aheadRetries: number;
  renumbered: number;
  /** Due → ack, ms. */
  ackLatenciesMs: number[];
};

export function newSendStats(): SendStats {
  return {
    acked: 0,
    failed: 0,
    failReasons: {},
    retries: {},
    aheadRetries: 0,
    renumbered: 0,
    ackLatenciesMs: [],
  };
}

type Item = {
  record: MessageRecord;
  log: DeliveryLog;
  stats: SendStats;
  clientMsgId: string;
  /** 0 until dispatched the first time. */
  clientSeq: number;
  state: "queued" | "sending" | "waiting";
  attempts: number;
  settle: () => void;
};

const ZAck = z.object({ msgId: z.string(), seq: z.number() });
const MAX_BACKOFF_MS = 2_000;

let idCounter = 0;
const RUN_ID = Math.random().toString(36).slice(2, 8);
const newClientMsgId = () => `e2e-${RUN_ID}-${(idCounter++).toString(36)}`;

export class SendPipeline {
  private nextSeq = 1;
  private items: Item[] = [];
  /** After a final refusal: no dispatch until the in-flight ones are back and the rest renumbered. */
  private renumberFrom: number | null = null;

  constructor(
    private readonly http: TrpcHttp,
    readonly sender: BenchUser,
    readonly dialogId: string,
    /** Unacked sends at once: 1 in a closed loop; a scenario may change it between runs. */
    public window: number,
  ) {}

  /** Unacked (in flight, waiting to retry, or queued). */
  get pending(): number {
    return this.items.length;
  }

  /** Queues a send; resolves when it is acked or failed for good (or dropped). */
  submit(record: MessageRecord, log: DeliveryLog, stats: SendStats): Promise<void> {
    return new Promise<void>((settle) => {
      const clientMsgId = newClientMsgId();
      log.records.set(clientMsgId, record);
      this.items.push({
        record,
        log,
        stats,
        clientMsgId,
        clientSeq: 0,
        state: "queued",
        attempts: 0,
        settle,
      });
      this.pump();
    });
  }

  /** Forgets sends never dispatched (an open loop's backlog when the run ends); returns how many. */
  dropUnsent(): number {
    const unsent = this.items.filter((item) => item.clientSeq === 0);
    this.items = this.items.filter((item) => item.clientSeq !== 0);
    for (const item of unsent) {
      item.record.state = "dropped";
      item.settle();
    }
    return unsent.length;
  }

  private pump(): void {
    if (this.renumberFrom !== null) return;
    let active = this.items.filter((item) => item.clientSeq !== 0).length;
    for (const item of this.items) {
      if (item.state !== "queued") continue;
      if (item.clientSeq === 0) {
        if (active >= this.window) return;
        item.clientSeq = this.nextSeq++;
        active++;
      }
      void this.dispatch(item);
    }
  }

  private async dispatch(item: Item): Promise<void> {
    item.state = "sending";
    item.attempts++;
    item.record.state = "inflight";
    try {
      const input = {
        dialogId: this.dialogId,
        clientMsgId: item.clientMsgId,
        clientSeq: item.clientSeq,
        content: { kind: "text", text: `e2e ${item.clientSeq}` },
      };
      await this.http.mutation("message.send", input, ZAck, await bearer(this.http, this.sender));
      this.onAck(item);
    } catch (error) {
      this.onError(item, error instanceof CallError ? error : new CallError("NETWORK", String(error)));
    }
  }

  private onAck(item: Item): void {
    const now = performance.now();
    item.record.state = "acked";
    item.record.ackedAt = now;
    item.stats.acked++;
    item.stats.ackLatenciesMs.push(now - item.record.dueAt);
    this.remove(item);
    item.settle();
    this.afterSettle();
  }

  private onError(item: Item, error: CallError): void {
    if (error.retryable || error.isAhead) {
      if (error.isAhead) item.stats.aheadRetries++;
      else item.stats.retries[error.code] = (item.stats.retries[error.code] ?? 0) + 1;
      item.state = "waiting";
      // The server already waited for the predecessor on "ahead"; back off longer on overload.
      const ceiling = error.isAhead ? 20 : Math.min(MAX_BACKOFF_MS, 20 * 2 ** Math.min(item.attempts, 7));
      setTimeout(
        () => {
          item.state = "queued";
          this.afterSettle();
        },
        ceiling * (0.5 + Math.random() / 2),
      );
      return;
    }
    const reason = `${error.code}: ${error.message}`;
    item.stats.failed++;
    item.stats.failReasons[reason] = (item.stats.failReasons[reason] ?? 0) + 1;
    item.record.state = "failed";
    this.remove(item);
    item.settle();
    // Nothing behind a refused clientSeq can commit: renumber the rest once they are back.
    const from = error.expectedClientSeq ?? item.clientSeq;
    const later = this.items.some((other) => other.clientSeq > item.clientSeq);
    if (later || this.renumberFrom !== null) this.renumberFrom = Math.min(this.renumberFrom ?? from, from);
    else this.nextSeq = from;
    this.afterSettle();
  }

  private afterSettle(): void {
    if (this.renumberFrom === null) {
      this.pump();
      return;
    }
    if (this.items.some((item) => item.state === "sending")) return;
    let next = this.renumberFrom;
    for (const item of this.items) {
      if (item.clientSeq === 0) continue;
      item.clientMsgId = newClientMsgId();
      item.log.records.set(item.clientMsgId, item.record);
      item.clientSeq = next++;
      item.stats.renumbered++;
    }
    this.nextSeq = next;
    this.renumberFrom = null;
    this.pump();
  }

  private remove(item: Item): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }
}
