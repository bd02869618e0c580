import type {
  TDialogEvent,
  TGroupInfoEvent,
  TMessage,
  TMessageContent,
  TPresenceEvent,
  TProfileEvent,
  TReactionSummary,
  TReceiptEvent,
  TReplyPreview,
  TTypingEvent,
} from "@parley/protocol";
import type { ChatApi } from "./api";
import type { AttachmentUploader, UploadProgress } from "./attachment-uploads";
import type { ConnectionState } from "./connection";
import type { ChatStore } from "./store";

export type MessageStatus = "pending" | "sent" | "delivered" | "read" | "failed" | "received";

/** What a UI renders: confirmed messages by seq, then this client's pending ones in send order. */
export type ChatMessage = {
  /** Stable React key: msg id once confirmed, local id while pending. */
  key: string;
  dialogId: string;
  id: string | null;
  seq: number | null;
  senderId: string;
  senderClientId: string;
  clientMsgId: string;
  /** A tombstone (`deleted`) once the message was deleted for everyone. */
  content: TMessageContent | { kind: "deleted" };
  createdAt: number;
  status: MessageStatus;
  isOwn: boolean;
  /** Failed sends: why (the message never committed; `retry` sends it again as a new message). */
  error?: string;
  /** When it was last edited (null: never). */
  editedAt: number | null;
  /** Reaction counts, in the order first reacted; `mine` for the signed-in user. */
  reactions: (TReactionSummary & { mine: boolean })[];
  /** The quoted original of a reply. */
  reply?: TReplyPreview;
  /** An edit, delete or reaction of ours is shown but not yet confirmed by the server. */
  changePending?: boolean;
};

export type EngineEvents = {
  /** A confirmed message became visible, in seq order per dialog. */
  message: { dialogId: string; message: TMessage };
  dialog: TDialogEvent | { type: "dialog"; dialogId: string; change: "synced"; lastSeq: number };
  /** An outgoing message changed status. */
  status: {
    dialogId: string;
    localId: string;
    status: MessageStatus;
    msgId?: string;
    seq?: number;
    error?: string;
  };
  connection: { state: ConnectionState | "caught-up"; code?: number; reason?: string; attempt?: number };
  typing: TTypingEvent;
  presence: TPresenceEvent;
  /** A user's newer name or avatar (never an older one: see profile-versions.ts). */
  profile: TProfileEvent;
  /** A group's newer title or avatar. */
  groupInfo: TGroupInfoEvent;
  receipt: TReceiptEvent;
  /** A held message was edited, deleted or reacted to (its new state is in `messages()`). */
  updated: { dialogId: string; message: TMessage };
  error: { where: string; error: unknown };
  /** Bytes of a message's files sent so far (the bubble's progress). */
  upload: UploadProgress;
};

export type ChatEngineOptions = {
  api: ChatApi;
  /** ws(s)://host/ws of the gateway load balancer, or several gateways to fail over between. */
  realtimeUrl: string | readonly string[];
  /** This client's id (the realtime token's cid); messages from it are "own". */
  clientId: string;
  userId: string;
  store?: ChatStore;
  WebSocketImpl?: typeof WebSocket;
  /** In-flight sends per dialog (the API waits briefly for a predecessor). */
  sendWindow?: number;
  syncPageSize?: number;
  /** Uploads a file for `sendFiles` (absent: messages with files fail at once). */
  uploader?: AttachmentUploader;
  /** Behind by more than this: load the newest page first, backfill older pages lazily. */
  maxCatchUp?: number;
  /** Heard nothing for this long: ask dialog.changes (lost pushes, silent NATS failures). */
  quietCheckMs?: number;
  /**
   * While the user is in more big groups than a realtime token lists, ask dialog.changes this often
   * (the unlisted ones get no pushes here).
   */
  unlistedBigDialogsPollMs?: number;
  /** markRead reports at most this often per dialog (scrolling through 200 messages is one write). */
  markReadDebounceMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  refreshLeadMs?: number;
};

/** The defaults of ChatEngineOptions. */
export const ENGINE_DEFAULTS = {
  sendWindow: 8,
  syncPageSize: 100,
  maxCatchUp: 1_000,
  quietCheckMs: 60_000,
  unlistedBigDialogsPollMs: 30_000,
  markReadDebounceMs: 400,
} as const;

/** The engine's emitter, as its parts see it. */
export type EmitEngineEvent = <K extends keyof EngineEvents>(event: K, payload: EngineEvents[K]) => void;
