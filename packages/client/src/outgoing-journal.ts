import type { OutgoingItem } from "./send-queue";
import type { ChatStore, StoredOutgoing } from "./store";

/**
 * The persisted outgoing messages: pending sends (written before they are dispatched, so a restart
 * resends under the same ids) and failed ones (shown in place until retried or discarded).
 */
export class OutgoingJournal {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ChatStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The previous run's records by dialog (none when the store cannot be read). */
  async load(): Promise<Map<string, StoredOutgoing[]>> {
    let stored: StoredOutgoing[] = [];
    try {
      stored = (await this.store.loadOutgoing?.()) ?? [];
    } catch (error) {
      this.onError(error);
    }
    const byDialog = new Map<string, StoredOutgoing[]>();
    for (const record of stored) {
      const list = byDialog.get(record.dialogId) ?? [];
      list.push(record);
      byDialog.set(record.dialogId, list);
    }
    return byDialog;
  }

  savePending(item: OutgoingItem): Promise<void> {
    return this.write((store) => store.saveOutgoing?.(toStored(item, "pending")));
  }

  saveFailed(item: OutgoingItem, error: string, anchorSeq: number | null): Promise<void> {
    const record = { ...toStored(item, "failed"), error, anchorSeq };
    return this.write((store) => store.saveOutgoing?.(record));
  }

  forget(localId: string): Promise<void> {
    return this.write((store) => store.deleteOutgoing?.(localId));
  }

  /** Writes go one after another: a later state of an item never loses to an earlier one. */
  private write(write: (store: ChatStore) => Promise<void> | undefined): Promise<void> {
    this.writes = this.writes.then(() => write(this.store)).catch(this.onError);
    return this.writes;
  }
}

function toStored(item: OutgoingItem, status: StoredOutgoing["status"]): StoredOutgoing {
  return {
    localId: item.localId,
    dialogId: item.dialogId,
    clientMsgId: item.clientMsgId,
    clientSeq: item.clientSeq,
    content: item.content,
    createdAt: item.createdAt,
    order: item.order ?? 0,
    status,
  };
}

/** A stored record back as a queue item: queued, not yet tried in this run. */
export function fromStored(record: StoredOutgoing): OutgoingItem {
  return {
    localId: record.localId,
    dialogId: record.dialogId,
    content: record.content,
    clientMsgId: record.clientMsgId,
    clientSeq: record.clientSeq,
    state: "queued",
    attempts: 0,
    createdAt: record.createdAt,
    order: record.order,
  };
}
