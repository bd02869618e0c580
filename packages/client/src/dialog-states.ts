import type { TMessage } from "@parley/protocol";
import { DialogTimeline } from "./dialog-timeline";
import type { ChatStore, DialogCheckpoint } from "./store";

/**
 * What the engine holds per dialog and keeps across runs: the timeline (messages and seq ranges),
 * this client's next clientSeq and the highest send order acked. Checkpoints are written beside the
 * messages, never awaited on the delivery path.
 */
export class DialogStates {
  private readonly timelines = new Map<string, DialogTimeline>();
  private readonly clientSeqs = new Map<string, number | null>();
  private readonly ackedOrders = new Map<string, number>();

  constructor(
    private readonly store: ChatStore,
    private readonly hooks: {
      /** The live queue's acked order, which is newer than the loaded one once it exists. */
      liveAckedOrder: (dialogId: string) => number | undefined;
      onError: (error: unknown) => void;
      /** The signed-in user (resolves "reacted by me" in pushes). */
      viewerId?: string;
    },
  ) {}

  /** The previous run's checkpoints and messages. */
  async load(): Promise<void> {
    for (const checkpoint of await this.store.loadCheckpoints()) {
      const messages = await this.store.loadMessages(checkpoint.dialogId);
      this.timelines.set(
        checkpoint.dialogId,
        new DialogTimeline(checkpoint.dialogId, checkpoint.ranges, messages, this.hooks.viewerId),
      );
      this.clientSeqs.set(checkpoint.dialogId, checkpoint.nextClientSeq);
      if (checkpoint.ackedOrder !== undefined) {
        this.ackedOrders.set(checkpoint.dialogId, checkpoint.ackedOrder);
      }
    }
  }

  timeline(dialogId: string): DialogTimeline {
    let timeline = this.timelines.get(dialogId);
    if (!timeline) {
      timeline = new DialogTimeline(dialogId, [], [], this.hooks.viewerId);
      this.timelines.set(dialogId, timeline);
    }
    return timeline;
  }

  /** The timeline if the engine knows the dialog (never creates one). */
  existing(dialogId: string): DialogTimeline | undefined {
    return this.timelines.get(dialogId);
  }

  all(): DialogTimeline[] {
    return [...this.timelines.values()];
  }

  /** This client's next clientSeq as last checkpointed; null until an ack taught the numbering. */
  nextClientSeq(dialogId: string): number | null {
    return this.clientSeqs.get(dialogId) ?? null;
  }

  setNextClientSeq(dialogId: string, next: number): void {
    this.clientSeqs.set(dialogId, next);
    this.persist(dialogId, []);
  }

  /** The acked send order loaded from the checkpoint (0 for a dialog never sent to). */
  loadedAckedOrder(dialogId: string): number {
    return this.ackedOrders.get(dialogId) ?? 0;
  }

  /** The highest clientSeq among this client's confirmed messages (proof those numbers are used). */
  ownTopClientSeq(dialogId: string, clientId: string): number {
    let top = 0;
    for (const message of this.timelines.get(dialogId)?.messages() ?? []) {
      if (message.senderClientId === clientId) top = Math.max(top, message.clientSeq);
    }
    return top;
  }

  /** Whether this client's message with that clientMsgId is held (committed). */
  holdsOwn(dialogId: string, clientId: string, clientMsgId: string): boolean {
    return (
      this.timelines
        .get(dialogId)
        ?.messages()
        .some((m) => m.senderClientId === clientId && m.clientMsgId === clientMsgId) ?? false
    );
  }

  /** Saves new messages and the dialog's checkpoint. */
  persist(dialogId: string, messages: readonly TMessage[]): void {
    const timeline = this.timeline(dialogId);
    const ackedOrder = this.hooks.liveAckedOrder(dialogId) ?? this.ackedOrders.get(dialogId);
    const checkpoint: DialogCheckpoint = {
      dialogId,
      ranges: timeline.ranges.toJSON(),
      nextClientSeq: this.clientSeqs.get(dialogId) ?? null,
      ...(ackedOrder === undefined ? {} : { ackedOrder }),
    };
    Promise.all([this.store.saveMessages(dialogId, messages), this.store.saveCheckpoint(checkpoint)]).catch(
      this.hooks.onError,
    );
  }
}
