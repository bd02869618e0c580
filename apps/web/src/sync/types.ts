/** What the connection indicator shows. */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** The sender's own view of where a message is. Others' messages are simply "sent". */
export type DeliveryState = "pending" | "sent" | "delivered" | "read" | "failed";

/** One message as the timeline renders it (own pending sends included, before they have a seq). */
export type TimelineEntry = {
  /** Stable across pending → committed, so React keeps the same row. */
  key: string;
  id: string | null;
  seq: number | null;
  senderId: string;
  text: string;
  createdAt: number;
  status: "pending" | "sent" | "failed";
};
