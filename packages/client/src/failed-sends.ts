import type { SendAck } from "./api";
import type { OutgoingItem } from "./send-queue";

/** A send that failed for good: it never committed. Shown in place until retried or discarded. */
export type FailedSend = { item: OutgoingItem; error: string; anchorSeq: number | null };

/** Acks remembered per dialog to place a failed send before its first later sibling. */
export const RECENT_ACKS = 256;

/**
 * Where failed sends sit in a timeline. A failed send never committed, so it has no seq; it is shown
 * where it was sent: just before the first later message of ours that did commit (its anchor).
 */
export class FailedSends {
  private readonly failed = new Map<string, FailedSend[]>();
  private readonly recentAcks = new Map<string, { order: number; seq: number }[]>();

  /** `save` persists a failed send whenever it is added or its anchor moves. */
  constructor(private readonly save: (failed: FailedSend) => void) {}

  /** A send failed for good now: anchored before the first later send of ours already acked. */
  add(item: OutgoingItem, error: string): FailedSend {
    const order = item.order ?? 0;
    let anchorSeq: number | null = null;
    for (const ack of this.recentAcks.get(item.dialogId) ?? []) {
      if (ack.order > order && (anchorSeq === null || ack.seq < anchorSeq)) anchorSeq = ack.seq;
    }
    const failed: FailedSend = { item, error, anchorSeq };
    this.push(failed);
    this.save(failed);
    return failed;
  }

  /** A failed send of an earlier run, as it was persisted. */
  restore(failed: FailedSend): void {
    this.push(failed);
  }

  /** A later send acked: failed sends before it move up to just before it. */
  onAck(item: OutgoingItem, ack: SendAck): void {
    const order = item.order ?? 0;
    const acks = this.recentAcks.get(item.dialogId) ?? [];
    acks.push({ order, seq: ack.seq });
    if (acks.length > RECENT_ACKS) acks.shift();
    this.recentAcks.set(item.dialogId, acks);
    for (const failed of this.failed.get(item.dialogId) ?? []) {
      if ((failed.item.order ?? 0) >= order) continue;
      if (failed.anchorSeq !== null && failed.anchorSeq <= ack.seq) continue;
      failed.anchorSeq = ack.seq;
      this.save(failed);
    }
  }

  /** Removes and returns a failed send (retried or discarded); null if there is none. */
  take(dialogId: string, localId: string): FailedSend | null {
    const list = this.failed.get(dialogId) ?? [];
    const index = list.findIndex((f) => f.item.localId === localId);
    if (index < 0) return null;
    const [failed] = list.splice(index, 1);
    return failed ?? null;
  }

  count(dialogId: string): number {
    return this.failed.get(dialogId)?.length ?? 0;
  }

  /** A dialog's failed sends in send order. */
  inOrder(dialogId: string): FailedSend[] {
    return [...(this.failed.get(dialogId) ?? [])].sort((a, b) => (a.item.order ?? 0) - (b.item.order ?? 0));
  }

  private push(failed: FailedSend): void {
    const list = this.failed.get(failed.item.dialogId) ?? [];
    list.push(failed);
    this.failed.set(failed.item.dialogId, list);
  }
}

/**
 * Confirmed messages (seq order) with failed sends placed before their anchors; a failed send with
 * no anchor (nothing later of ours committed) goes after them all.
 */
export function placeFailedSends<M extends { seq: number | null }>(
  confirmed: readonly M[],
  failed: readonly FailedSend[],
  toMessage: (failed: FailedSend) => M,
): M[] {
  if (failed.length === 0) return [...confirmed];
  const merged: M[] = [];
  let next = 0;
  for (const message of confirmed) {
    while (next < failed.length) {
      const entry = failed[next] as FailedSend;
      if (entry.anchorSeq === null || (message.seq ?? 0) < entry.anchorSeq) break;
      merged.push(toMessage(entry));
      next++;
    }
    merged.push(message);
  }
  for (const entry of failed.slice(next)) merged.push(toMessage(entry));
  return merged;
}
