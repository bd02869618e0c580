/** What the connection indicator shows. */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** The sender's own view of where a message is. Others' messages are "received". */
export type DeliveryState = "pending" | "sent" | "delivered" | "read" | "failed";

/** One message as the timeline renders it (own pending sends included, before they have a seq). */
export type TimelineEntry = {
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
};

/** Engine events the UI reacts to beyond the timeline itself (inbox, typing, watermarks). */
export type SyncEvent =
  | { type: "message"; dialogId: string; senderId: string }
  | { type: "sent"; dialogId: string }
  | { type: "receipt"; dialogId: string; userId: string }
  | { type: "dialog"; dialogId: string; change: string }
  | { type: "typing"; dialogId: string; userId: string; expiresAt: number };
