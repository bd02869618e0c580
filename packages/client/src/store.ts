import type { TMessage, TSendContent } from "@parley/protocol";
import type { SeqRange } from "./seq-ranges";

/** What a client remembers about one dialog between runs. */
export type DialogCheckpoint = {
  dialogId: string;
  /** Seq ranges held locally (not one number: lazy backfill leaves holes). */
  ranges: SeqRange[];
  /** This client's next clientSeq in the dialog; null until an ack taught us the numbering. */
  nextClientSeq: number | null;
  /** Highest local send order acked in this dialog (decides whether a refused send was overtaken). */
  ackedOrder?: number;
};

/**
 * One outgoing message as persisted: unacked sends survive a reload or crash and are resent with
 * the SAME clientMsgId and clientSeq (the server's send-once key), so each lands exactly once.
 * "failed" ones never committed; they stay, shown in place, until sent again or discarded.
 */
export type StoredOutgoing = {
  localId: string;
  dialogId: string;
  clientMsgId: string;
  /** 0 until the pipeline numbered it. */
  clientSeq: number;
  content: TSendContent;
  createdAt: number;
  /** Local send order in the dialog. */
  order: number;
  status: "pending" | "failed";
  error?: string;
  /** Failed ones: shown just before this confirmed seq (the first later message of ours). */
  anchorSeq?: number | null;
};

/**
 * Pluggable persistence: memory here and in tests, IndexedDB in browsers. Writes may be batched by
 * the implementation; the engine never waits for them on the delivery path.
 */
export type ChatStore = {
  loadCheckpoints: () => Promise<DialogCheckpoint[]>;
  saveCheckpoint: (checkpoint: DialogCheckpoint) => Promise<void>;
  loadMessages: (dialogId: string) => Promise<TMessage[]>;
  saveMessages: (dialogId: string, messages: readonly TMessage[]) => Promise<void>;
  /** The send queue (optional for older custom stores: without it pending sends live in memory only). */
  loadOutgoing?: () => Promise<StoredOutgoing[]>;
  /** Insert or replace by localId. */
  saveOutgoing?: (item: StoredOutgoing) => Promise<void>;
  deleteOutgoing?: (localId: string) => Promise<void>;
};

export class MemoryStore implements ChatStore {
  private readonly checkpoints = new Map<string, DialogCheckpoint>();
  private readonly messages = new Map<string, Map<string, TMessage>>();
  private readonly outgoing = new Map<string, StoredOutgoing>();

  async loadCheckpoints(): Promise<DialogCheckpoint[]> {
    return [...this.checkpoints.values()].map((c) => structuredClone(c));
  }

  async saveCheckpoint(checkpoint: DialogCheckpoint): Promise<void> {
    this.checkpoints.set(checkpoint.dialogId, structuredClone(checkpoint));
  }

  async loadMessages(dialogId: string): Promise<TMessage[]> {
    return [...(this.messages.get(dialogId)?.values() ?? [])];
  }

  async saveMessages(dialogId: string, messages: readonly TMessage[]): Promise<void> {
    let byId = this.messages.get(dialogId);
    if (!byId) {
      byId = new Map();
      this.messages.set(dialogId, byId);
    }
    for (const message of messages) byId.set(message.id, message);
  }

  async loadOutgoing(): Promise<StoredOutgoing[]> {
    return [...this.outgoing.values()].map((o) => structuredClone(o));
  }

  async saveOutgoing(item: StoredOutgoing): Promise<void> {
    this.outgoing.set(item.localId, structuredClone(item));
  }

  async deleteOutgoing(localId: string): Promise<void> {
    this.outgoing.delete(localId);
  }
}
