import type { TMessage, TSendContent } from "@parley/protocol";

export type SendInput = {
  dialogId: string;
  clientMsgId: string;
  clientSeq: number;
  content: TSendContent;
};
export type SendAck = { msgId: string; seq: number; createdAt: number };
export type SyncPage = { messages: TMessage[]; lastSeq: number; hasMore: boolean };
/** `profileVersion`: a group's title/avatar version (the `groupInfo` events'), to notice a missed one. */
export type DialogChange = {
  dialogId: string;
  lastSeq: number;
  readSeq?: number;
  deliveredSeq?: number;
  profileVersion?: number;
};
/**
 * `unlistedBigDialogs`: the user is in more big groups than the token lists (MAX_TOKEN_BIG_DIALOGS);
 * no push reaches this client for the rest, so the engine polls dialog.changes while it holds one.
 */
export type RealtimeToken = { token: string; expiresAt: number; unlistedBigDialogs?: boolean };

/**
 * What the engine needs from the API. `createTrpcChatApi` implements it over HTTP; tests and
 * alternative transports can implement it directly.
 */
export type ChatApi = {
  realtimeToken: () => Promise<RealtimeToken>;
  send: (input: SendInput) => Promise<SendAck>;
  sync: (input: { dialogId: string; afterSeq: number; limit: number }) => Promise<SyncPage>;
  /** The newest page ending before `beforeSeq` (null = the newest messages). */
  history: (input: { dialogId: string; beforeSeq: number | null; limit: number }) => Promise<SyncPage>;
  changes: () => Promise<DialogChange[]>;
  markDelivered: (input: { dialogId: string; seq: number }) => Promise<void>;
  markRead: (input: { dialogId: string; seq: number }) => Promise<void>;
  typing: (input: { dialogId: string }) => Promise<void>;
  /**
   * A signed list of the asked users this client may watch on the socket (those sharing a dialog
   * with it). Optional: an API without it means no presence.
   */
  presenceTicket?: (input: { userIds: string[] }) => Promise<PresenceTicket>;
  /**
   * Current profiles (name, avatar, version) of these users (≤ 100), read again after every
   * reconnect: a profile push lost while away is never replayed. Optional: without it, only pushes.
   */
  profiles?: (input: { ids: string[] }) => Promise<ApiProfile[]>;
  /**
   * A group's current title, avatar and version (dialog.get), read when dialog.changes shows a
   * version newer than the one held. Optional: without it, only pushes.
   */
  groupInfo?: (input: { dialogId: string }) => Promise<ApiGroupInfo>;
};

export type ApiGroupInfo = { title: string | null; avatarUrl: string | null; profileVersion: number };

export type ApiProfile = { id: string; displayName: string; avatarUrl: string | null; version: number };

export type PresenceTicket = { ticket: string; expiresAt: number; userIds: string[] };

const RETRYABLE_CODES = new Set([
  "TOO_MANY_REQUESTS",
  "INTERNAL_SERVER_ERROR",
  "TIMEOUT",
  "SERVICE_UNAVAILABLE",
  "BAD_GATEWAY",
  "GATEWAY_TIMEOUT",
  "CLIENT_CLOSED_REQUEST",
  "NETWORK",
]);

/** An API failure the engine can reason about: a tRPC code name plus the AppError details. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.code);
  }

  get expectedClientSeq(): number | null {
    const value = this.details.expectedClientSeq;
    return typeof value === "number" ? value : null;
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const shaped = error as { data?: { code?: unknown; details?: unknown } | null; message?: unknown };
  const code = typeof shaped?.data?.code === "string" ? shaped.data.code : "NETWORK";
  const details =
    shaped?.data?.details && typeof shaped.data.details === "object"
      ? (shaped.data.details as Record<string, unknown>)
      : {};
  return new ApiError(code, typeof shaped?.message === "string" ? shaped.message : String(error), details);
}
