export { markDialog, type Watermarks } from "./read-state";
export { flushOutboxDeletes } from "./send/outbox-cleaner";
export { type SendAck, sendMessage } from "./send/send-message";
export type { SendInput } from "./send/try";
export {
  type ChangesPage,
  type DialogChange,
  dialogHistory,
  listChanges,
  type SyncPage,
  syncDialog,
} from "./sync";
