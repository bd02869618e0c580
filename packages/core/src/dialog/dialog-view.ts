import type { DialogRow, MemberRow } from "@parley/db/queries";
import type { TDialogEvent } from "@parley/protocol";
import { publishToUsers } from "../notify/publish";
import type { EventPublisher } from "../services";
import { avatarUrlOf } from "../user/avatar-url";

export type DialogView = {
  id: string;
  kind: "direct" | "group";
  title: string | null;
  /** A group's picture (a direct chat shows the peer's own avatar). */
  avatarUrl: string | null;
  /** Bumped by every title or avatar change (the `groupInfo` event's version). */
  profileVersion: number;
  peerUserId: string | null;
  memberCount: number;
  lastSeq: number;
  lastMessage: { id: string; senderId: string | null; preview: string; createdAt: number } | null;
  role: "owner" | "admin" | "member";
  joinedSeq: number;
  deliveredSeq: number;
  readSeq: number;
  /** This member muted the dialog (on every device): no notifications, not counted in titles. */
  muted: boolean;
  /**
   * Messages after my read_seq not sent by me. Confirm moves the sender's read_seq to its own
   * message, so everything after read_seq is from others: unread = last_seq − read_seq, the same
   * number on every client of mine.
   */
  unreadCount: number;
  createdAt: number;
  /** Latest activity (last message, else creation), the inbox order. */
  activityAt: number;
};

export function toDialogView(dialog: DialogRow, member: MemberRow, peerUserId: string | null): DialogView {
  // The last message is this member's to see only if it came after they joined (history and sync
  // start at joinedSeq too): a member added later must not read what was said before.
  const visible = dialog.lastSeq > member.joinedSeq;
  const lastMessage =
    visible && dialog.lastMessageId && dialog.lastMessageAt
      ? {
          id: dialog.lastMessageId,
          senderId: dialog.lastSenderId,
          preview: dialog.lastPreview ?? "",
          createdAt: dialog.lastMessageAt.getTime(),
        }
      : null;
  return {
    id: dialog.id,
    kind: dialog.kind,
    title: dialog.title,
    avatarUrl: avatarUrlOf(dialog.id, dialog.avatarKey),
    profileVersion: dialog.profileVersion,
    peerUserId,
    memberCount: dialog.memberCount,
    lastSeq: dialog.lastSeq,
    lastMessage,
    role: member.role,
    joinedSeq: member.joinedSeq,
    deliveredSeq: member.deliveredSeq,
    readSeq: member.readSeq,
    muted: member.muted,
    unreadCount: Math.max(0, dialog.lastSeq - member.readSeq),
    createdAt: dialog.createdAt.getTime(),
    // A late joiner's inbox orders the dialog by its join until something is sent it may see.
    activityAt: (visible && dialog.lastMessageAt
      ? dialog.lastMessageAt
      : latest(dialog.createdAt, member.joinedAt)
    ).getTime(),
  };
}

function latest(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * Membership events: clients refetch the dialog (and drop it on "left"). Best effort, like typing.
 * Always on user subjects; `big` tells a client to refresh its realtime token (joined / updated) and
 * a gateway to drop the user's sockets from the dialog subject (left).
 */
export function publishDialogEvent(
  events: EventPublisher,
  userIds: readonly string[],
  dialogId: string,
  change: TDialogEvent["change"],
  lastSeq: number,
  big = false,
): void {
  if (userIds.length === 0) return;
  const event: TDialogEvent = { type: "dialog", dialogId, change, lastSeq };
  publishToUsers(events, userIds, big ? { ...event, big: true } : event);
}
