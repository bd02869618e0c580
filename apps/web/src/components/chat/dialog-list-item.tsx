import Link from "next/link";
import { LocalTime } from "~/components/local-time";
import { formatShortTime } from "~/lib/format-time";
import { useProfiles } from "~/lib/use-profiles";
import { usePresence, useTypingUsers, useViewer } from "~/sync/sync-provider";
import type { RouterOutputs } from "~/trpc/types";
import { Avatar } from "./avatar";

type InboxItem = RouterOutputs["dialog"]["list"]["items"][number];

const NO_IDS: string[] = [];

/** The inbox row says who is typing, as the open dialog does: "typing…" in a direct chat. */
function typingWordsOf(
  kind: "direct" | "group",
  typing: string[],
  nameOf: (userId: string) => string | undefined,
): string | null {
  if (typing.length === 0) return null;
  if (kind === "direct") return "typing…";
  if (typing.length > 1) return `${typing.length} people are typing…`;
  return `${nameOf(typing[0] ?? "") ?? "Someone"} is typing…`;
}

export function DialogListItem({
  item,
  title,
  avatarUrl,
  isActive,
}: {
  item: InboxItem;
  title: string;
  /** The group's picture, or the other person's in a direct chat. */
  avatarUrl: string | null;
  isActive: boolean;
}) {
  const preview = item.lastMessage ? item.lastMessage.preview.replace(/\s+/g, " ") : "No messages yet";
  const at = item.lastMessage?.createdAt ?? null;
  const unread = item.unreadCount;
  const unreadLabel = unread > 0 ? `, ${unread} unread` : "";
  const viewer = useViewer();
  const typing = useTypingUsers(item.id).filter((id) => id !== viewer.id);
  const peerPresence = usePresence(item.kind === "direct" ? item.peerUserId : null);
  // Names are asked for only while someone types in a group (free for people one shares a dialog with).
  const typingProfiles = useProfiles(item.kind === "group" ? typing : NO_IDS);
  const typingWords = typingWordsOf(item.kind, typing, (id) => typingProfiles.get(id)?.displayName);
  return (
    <li>
      <Link
        href={`/chat/${item.id}`}
        className={`dialog-item${isActive ? " active" : ""}${unread > 0 ? " has-unread" : ""}`}
        aria-current={isActive ? "page" : undefined}
        data-testid="dialog-item"
        data-dialog-id={item.id}
        aria-label={`${title}${unreadLabel}. ${preview}`}
      >
        <Avatar
          name={title}
          url={avatarUrl}
          group={item.kind === "group"}
          online={peerPresence?.online === true}
        />
        <span className="dialog-item-main">
          <span className="dialog-item-top">
            <span className="dialog-item-title">{title}</span>
            {item.muted ? (
              <span className="muted-icon" title="Muted" data-testid="muted-icon">
                <span aria-hidden="true">🔕</span>
                <span className="visually-hidden">muted</span>
              </span>
            ) : null}
            {at ? <LocalTime className="dialog-item-time" at={at} format={formatShortTime} /> : null}
          </span>
          <span className="dialog-item-bottom">
            {typingWords ? (
              <span className="dialog-item-preview inbox-typing" data-testid="inbox-typing">
                {typingWords}
              </span>
            ) : (
              <span className="dialog-item-preview">{preview}</span>
            )}
            {unread > 0 ? (
              <span className={`badge${item.muted ? " quiet" : ""}`} data-testid="unread-badge">
                {unread > 99 ? "99+" : unread}
              </span>
            ) : null}
          </span>
        </span>
      </Link>
    </li>
  );
}
