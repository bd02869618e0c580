/** What the connection indicator shows. */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** The sender's own view of where a message is. Others' messages are "received". */
export type DeliveryState = "pending" | "sent" | "delivered" | "read" | "failed";

/** One message as the timeline renders it (own pending sends included, before they have a seq). */
/** A file of a message as the timeline shows it (see sync/attachment-entries.ts). */
export type AttachmentView = {
  key: string;
  name: string;
  size: number;
  mime: string;
  isImage: boolean;
  width?: number;
  height?: number;
  /** The full file (members-only route, or the sender's local copy while uploading); null: not yet. */
  url: string | null;
  /** A small image for the timeline (the server's thumbnail, or the local copy). */
  previewUrl: string | null;
};

export type TimelineEntry = {
  /** A message with files: what to show of them; `upload` while the sender's upload runs. */
  attachments?: AttachmentView[];
  upload?: { loaded: number; total: number };
  key: string;
  id: string | null;
  seq: number | null;
  senderId: string;
  isOwn: boolean;
  text: string;
  createdAt: number;
  status: DeliveryState | "received";
  /** Why a failed send was refused, in words. */
  error?: string;
  /** The message kind ("text", "media", …); absent means text. */
  kind?: string;
  /** Deleted for everyone: shown as a tombstone in place. */
  deleted?: boolean;
  /** When it was last edited (shows "edited"). */
  editedAt?: number | null;
  reactions?: ReactionChip[];
  /** The quoted original when this message is a reply (`text` null: deleted). */
  reply?: { id: string; seq: number; senderId: string; text: string | null };
  /** An edit, delete or reaction of ours shows but is not confirmed yet. */
  changePending?: boolean;
};

/** A reaction under a message: its count, the first reactors, and whether one of them is me. */
export type ReactionChip = { emoji: string; count: number; userIds: string[]; mine: boolean };

/** Engine events the UI reacts to beyond the timeline itself (inbox, typing, watermarks). */
export type SyncEvent =
  | {
      type: "message";
      dialogId: string;
      senderId: string;
      messageId: string;
      text: string;
      createdAt: number;
    }
  | { type: "sent"; dialogId: string }
  /** A held message was edited, deleted or reacted to. */
  | { type: "updated"; dialogId: string }
  | { type: "receipt"; dialogId: string; userId: string }
  | { type: "dialog"; dialogId: string; change: string }
  | { type: "typing"; dialogId: string; userId: string; expiresAt: number }
  | { type: "presence"; userId: string; online: boolean; lastSeenAt: number | null }
  | { type: "profile"; userId: string; displayName: string; avatarUrl: string | null; version: number }
  | { type: "groupInfo"; dialogId: string; title: string; avatarUrl: string | null; version: number };
