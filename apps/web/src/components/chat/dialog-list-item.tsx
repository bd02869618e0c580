import Link from "next/link";
import { LocalTime } from "~/components/local-time";
import { formatShortTime } from "~/lib/format-time";
import type { RouterOutputs } from "~/trpc/types";
import { initials } from "./initials";

type InboxItem = RouterOutputs["dialog"]["list"]["items"][number];

export function DialogListItem({
  item,
  title,
  isActive,
}: {
  item: InboxItem;
  title: string;
  isActive: boolean;
}) {
  const preview = item.lastMessage ? item.lastMessage.preview.replace(/\s+/g, " ") : "No messages yet";
  const at = item.lastMessage?.createdAt ?? null;
  const unread = item.unreadCount;
  const unreadLabel = unread > 0 ? `, ${unread} unread` : "";
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
        <span className={`avatar${item.kind === "group" ? " group" : ""}`} aria-hidden="true">
          {initials(title)}
        </span>
        <span className="dialog-item-main">
          <span className="dialog-item-top">
            <span className="dialog-item-title">{title}</span>
            {at ? <LocalTime className="dialog-item-time" at={at} format={formatShortTime} /> : null}
          </span>
          <span className="dialog-item-bottom">
            <span className="dialog-item-preview">{preview}</span>
            {unread > 0 ? (
              <span className="badge" data-testid="unread-badge">
                {unread > 99 ? "99+" : unread}
              </span>
            ) : null}
          </span>
        </span>
      </Link>
    </li>
  );
}
