import type { TMessage } from "@parley/protocol";
import type { ChatStore, DialogCheckpoint } from "./store";

const DB_VERSION = 1;
const CHECKPOINTS = "checkpoints";
const MESSAGES = "messages";

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const committed = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });

/**
 * Browser persistence: checkpoints keyed by dialog, messages keyed by [dialogId, seq] so a dialog's
 * timeline is one ordered key range. One database per signed-in user (name it by user id).
 */
export class IndexedDbStore implements ChatStore {
  private readonly db: Promise<IDBDatabase>;

  constructor(name: string, factory: IDBFactory = indexedDB) {
    this.db = new Promise((resolve, reject) => {
      const request = factory.open(name, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(CHECKPOINTS))
          db.createObjectStore(CHECKPOINTS, { keyPath: "dialogId" });
        if (!db.objectStoreNames.contains(MESSAGES))
          db.createObjectStore(MESSAGES, { keyPath: ["dialogId", "seq"] });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async loadCheckpoints(): Promise<DialogCheckpoint[]> {
    const db = await this.db;
    return done(db.transaction(CHECKPOINTS, "readonly").objectStore(CHECKPOINTS).getAll()) as Promise<
      DialogCheckpoint[]
    >;
  }

  async saveCheckpoint(checkpoint: DialogCheckpoint): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(CHECKPOINTS, "readwrite");
    tx.objectStore(CHECKPOINTS).put(checkpoint);
    await committed(tx);
  }

  async loadMessages(dialogId: string): Promise<TMessage[]> {
    const db = await this.db;
    const range = IDBKeyRange.bound([dialogId, 0], [dialogId, Number.MAX_SAFE_INTEGER]);
    return done(db.transaction(MESSAGES, "readonly").objectStore(MESSAGES).getAll(range)) as Promise<
      TMessage[]
    >;
  }

  async saveMessages(_dialogId: string, messages: readonly TMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const db = await this.db;
    const tx = db.transaction(MESSAGES, "readwrite");
    const store = tx.objectStore(MESSAGES);
    for (const message of messages) store.put(message);
    await committed(tx);
  }
}
