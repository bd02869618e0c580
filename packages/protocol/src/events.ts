import { z } from "zod";
import { ZId, ZSeq } from "./ids";
import { ZMessage } from "./message";
import { ZGroupInfoEvent, ZProfileEvent } from "./profile-events";

/**
 * Events published on NATS `chat.user.<userId>` and forwarded by the gateway to every socket of that
 * user unchanged. Every message event carries prevSeq so clients detect gaps.
 */
export const ZMessageEvent = z.object({
  type: z.literal("message"),
  dialogId: ZId,
  prevSeq: ZSeq,
  seq: ZSeq,
  message: ZMessage,
});

/** A member's watermarks moved (pushed in 1:1 and small groups only). */
export const ZReceiptEvent = z.object({
  type: z.literal("receipt"),
  dialogId: ZId,
  userId: ZId,
  deliveredSeq: ZSeq,
  readSeq: ZSeq,
});

/** Membership or metadata changed; clients refetch the dialog (and drop it on "left"). */
export const ZDialogEvent = z.object({
  type: z.literal("dialog"),
  dialogId: ZId,
  change: z.enum(["joined", "left", "updated"]),
  lastSeq: ZSeq,
  /**
   * The dialog is a big group (its messages arrive on `chat.dialog.<id>`): on "joined" / "updated"
   * a client refreshes its realtime token in-band (the new one lists the dialog), then syncs it.
   * On "left" the gateway drops the user's sockets from the dialog's subject at once.
   */
  big: z.boolean().optional(),
});

/** Ephemeral: shed first under load, never persisted. */
export const ZTypingEvent = z.object({
  type: z.literal("typing"),
  dialogId: ZId,
  userId: ZId,
  expiresAt: z.number().int(),
});

export const ZPresenceEvent = z.object({
  type: z.literal("presence"),
  userId: ZId,
  online: z.boolean(),
  lastSeenAt: z.number().int().nullable(),
});

export const ZUserEvent = z.discriminatedUnion("type", [
  ZMessageEvent,
  ZReceiptEvent,
  ZDialogEvent,
  ZTypingEvent,
  ZPresenceEvent,
  ZProfileEvent,
  ZGroupInfoEvent,
]);
export type TUserEvent = z.infer<typeof ZUserEvent>;
export type TMessageEvent = z.infer<typeof ZMessageEvent>;
export type TReceiptEvent = z.infer<typeof ZReceiptEvent>;
export type TDialogEvent = z.infer<typeof ZDialogEvent>;
export type TTypingEvent = z.infer<typeof ZTypingEvent>;
export type TPresenceEvent = z.infer<typeof ZPresenceEvent>;

/** Published on `chat.client.<clientId>.revoke`; gateways close that client's sockets. */
export const ZRevokeEvent = z.object({ type: z.literal("revoke"), userId: ZId, clientId: ZId });
export type TRevokeEvent = z.infer<typeof ZRevokeEvent>;
