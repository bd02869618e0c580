import type { ApiError, ChatApi, SendAck } from "./api";
import { hasUnsentAttachments } from "./attachment-uploads";
import type { DialogStates } from "./dialog-states";
import type { FailedSends } from "./failed-sends";
import { fromStored, type OutgoingJournal } from "./outgoing-journal";
import { DialogSendQueue, type OutgoingItem } from "./send-queue";

export type SendQueuesOptions = {
  api: Pick<ChatApi, "send">;
  clientId: string;
  /** In-flight sends per dialog. */
  window: number;
  states: DialogStates;
  journal: OutgoingJournal;
  failedSends: FailedSends;
  onAck: (item: OutgoingItem, ack: SendAck) => void;
  onFailed: (item: OutgoingItem, error: ApiError) => void;
};

/**
 * The per-dialog send pipelines. A queue is seeded with the dialog's checkpointed numbering, and
 * the previous run's unacked sends go back in front (same clientMsgId and clientSeq) before any
 * new one is dispatched: queues created before that are held until restore() ran.
 */
export class SendQueues {
  private readonly queues = new Map<string, DialogSendQueue>();
  private restored = false;

  constructor(private readonly options: SendQueuesOptions) {}

  /** The dialog's queue, if one exists. */
  get(dialogId: string): DialogSendQueue | undefined {
    return this.queues.get(dialogId);
  }

  /** Sends not yet acked, in every dialog. */
  get pending(): number {
    let pending = 0;
    for (const queue of this.queues.values()) pending += queue.pending;
    return pending;
  }

  queueFor(dialogId: string): DialogSendQueue {
    let queue = this.queues.get(dialogId);
    if (queue) return queue;
    const { states, journal, clientId } = this.options;
    // Our own confirmed messages prove their clientSeqs are used, whatever the checkpoint says.
    const known = states.nextClientSeq(dialogId);
    const ownTop = states.ownTopClientSeq(dialogId, clientId);
    queue = new DialogSendQueue(
      dialogId,
      known === null ? null : Math.max(known, ownTop + 1),
      this.options.window,
      {
        send: (input) => this.options.api.send(input),
        onAck: (item, ack) => this.options.onAck(item, ack),
        onFailed: (item, error) => this.options.onFailed(item, error),
        onClientSeq: (id, next) => states.setNextClientSeq(id, next),
        persist: (item) => journal.savePending(item),
        forget: (item) => journal.forget(item.localId),
      },
      { held: !this.restored, ackedOrder: states.loadedAckedOrder(dialogId) },
    );
    this.queues.set(dialogId, queue);
    return queue;
  }

  /** The previous run's unacked sends go back in their queues, failed ones back in place. */
  async restore(): Promise<void> {
    const { states, journal, failedSends, clientId } = this.options;
    const byDialog = await journal.load();
    for (const [dialogId, loaded] of byDialog) {
      // Sends of this run (made before the store was read) may already be saved: they are not the
      // previous run's, and stay where they are, after the restored ones.
      const live = new Set(this.queues.get(dialogId)?.items.map((item) => item.localId));
      const records = loaded.filter((record) => !live.has(record.localId));
      const pending: OutgoingItem[] = [];
      for (const record of records) {
        const item = fromStored(record);
        // Its files were uploading when the last run ended: they are gone, so it can only fail in place.
        if (record.status === "pending" && hasUnsentAttachments(record.content)) {
          const failed = { item, error: "UPLOAD_INTERRUPTED: the files were not uploaded", anchorSeq: null };
          failedSends.restore(failed);
          void journal.saveFailed(item, failed.error, null);
          continue;
        }
        if (record.status === "failed") {
          failedSends.restore({ item, error: record.error ?? "failed", anchorSeq: record.anchorSeq ?? null });
          continue;
        }
        // Committed and synced before the ack was handled: nothing left to send.
        if (states.holdsOwn(dialogId, clientId, record.clientMsgId)) void journal.forget(record.localId);
        else pending.push(item);
      }
      // Numbers used by any saved send (even one already held) are taken: the checkpoint's
      // nextClientSeq is only written on acks, so it may lag behind what was dispatched.
      this.queueFor(dialogId).restore(pending, {
        nextClientSeq: 1 + Math.max(0, ...records.map((r) => r.clientSeq)),
        ackedOrder: states.loadedAckedOrder(dialogId),
        nextOrder: 1 + Math.max(0, ...records.map((r) => r.order)),
      });
    }
    // Queues that send() created before the checkpoints were loaded (held, nothing dispatched).
    for (const [dialogId, queue] of this.queues) {
      if (byDialog.has(dialogId)) continue;
      queue.restore([], { ackedOrder: states.loadedAckedOrder(dialogId) });
    }
    this.restored = true;
    for (const queue of this.queues.values()) queue.release();
  }

  stop(): void {
    for (const queue of this.queues.values()) queue.stop();
  }
}
