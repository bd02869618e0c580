import type { TMessage } from "@parley/protocol";
import type { ChatStore, DialogCheckpoint, StoredOutgoing } from "./store";

/** 2: the send queue ("outgoing"); an existing version-1 database gains the store on open. */
const DB_VERSION = 2;
const CHECKPOINTS = "checkpoints";
const MESSAGES = "messages";
const OUTGOING = "outgoing";

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
 * timeline is one ordered key range, unacked sends keyed by local id. One database per signed-in
 * client (name it by user and client id: the send queue's clientSeqs belong to the client).
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
        if (!db.objectStoreNames.contains(OUTGOING)) db.createObjectStore(OUTGOING, { keyPath: "localId" });
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer build in another tab wants to upgrade: let it (this tab's writes then fail and
        // are reported as store errors; its next start opens the new version).
        db.onversionchange = () => db.close();
        resolve(db);
      };
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

  async loadOutgoing(): Promise<StoredOutgoing[]> {
    const db = await this.db;
    return done(db.transaction(OUTGOING, "readonly").objectStore(OUTGOING).getAll()) as Promise<
      StoredOutgoing[]
    >;
  }

  async saveOutgoing(item: StoredOutgoing): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(OUTGOING, "readwrite");
    tx.objectStore(OUTGOING).put(item);
    await committed(tx);
  }

  async deleteOutgoing(localId: string): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(OUTGOING, "readwrite");
    tx.objectStore(OUTGOING).delete(localId);
    await committed(tx);
  }
}
