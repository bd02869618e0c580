import type { TMessage } from "@parley/protocol";
import type { SeqRange } from "./seq-ranges";

/** What a client remembers about one dialog between runs. */
export type DialogCheckpoint = {
  dialogId: string;
  /** Seq ranges held locally (not one number: lazy backfill leaves holes). */
  ranges: SeqRange[];
  /** This client's next clientSeq in the dialog; null until an ack taught us the numbering. */
  nextClientSeq: number | null;
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
};

export class MemoryStore implements ChatStore {
  private readonly checkpoints = new Map<string, DialogCheckpoint>();
  private readonly messages = new Map<string, Map<string, TMessage>>();

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
}
