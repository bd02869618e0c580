export {
  ApiError,
  type ApiProfile,
  type ChatApi,
  type DialogChange,
  type PresenceTicket,
  type RealtimeToken,
  type SendAck,
  type SendInput,
  type SyncPage,
  toApiError,
} from "./api";
export { createFetchUploader, readUploadAnswer } from "./attachment-upload-http";
export {
  type AttachmentUploader,
  hasUnsentAttachments,
  type OutgoingFile,
  UNSENT_ATTACHMENT_ID,
  type UploadProgress,
} from "./attachment-uploads";
export { backoffDelay } from "./backoff";
export { type ConnectionState, RealtimeConnection } from "./connection";
export { DialogTimeline, type PushResult } from "./dialog-timeline";
export {
  ChatEngine,
  type ChatEngineOptions,
  type ChatMessage,
  type EngineEvents,
  type MessageStatus,
} from "./engine";
export { IndexedDbStore } from "./indexeddb-store";
export { DialogSendQueue, type OutgoingItem } from "./send-queue";
export { type SeqRange, SeqRanges } from "./seq-ranges";
export { type ChatStore, type DialogCheckpoint, MemoryStore, type StoredOutgoing } from "./store";
export {
  type FetchFn,
  isRefusal,
  type TokenPair,
  TokenRefresher,
  type TokenRefresherOptions,
} from "./token-refresh";
export {
  type ApiSession,
  authenticateWithPassword,
  createParleyTrpcClient,
  createTrpcChatApi,
  type ParleyTrpcClient,
  type ParleyUntypedClient,
  type SignedInClient,
  type TrpcChatApiOptions,
} from "./trpc-api";
