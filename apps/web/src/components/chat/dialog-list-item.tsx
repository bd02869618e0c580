import Link from "next/link";
import { formatFull, formatShortTime } from "~/lib/format-time";
import type { RouterOutputs } from "~/trpc/types";
import { initials } from "./sidebar";

type InboxItem = RouterOutputs["dialog"]["list"]["items"][number];

export function DialogListItem({ item, isActive }: { item: InboxItem; isActive: boolean }) {
  const preview = item.lastMessage ? previewText(item.lastMessage.content) : "No messages yet";
  const at = item.lastMessage?.createdAt ?? null;
  const unreadLabel = item.unread > 0 ? `, ${item.unread} unread` : "";
  return (
    <li>
      <Link
        href={`/chat/${item.dialogId}`}
        className={`dialog-item${isActive ? " active" : ""}${item.unread > 0 ? " has-unread" : ""}`}
        aria-current={isActive ? "page" : undefined}
        data-testid="dialog-item"
        data-dialog-id={item.dialogId}
        aria-label={`${item.title}${unreadLabel}. ${preview}`}
      >
        <span className={`avatar${item.kind === "group" ? " group" : ""}`} aria-hidden="true">
          {initials(item.title)}
        </span>
        <span className="dialog-item-main">
          <span className="dialog-item-top">
            <span className="dialog-item-title">{item.title}</span>
            {at ? (
              <time className="dialog-item-time" dateTime={new Date(at).toISOString()} title={formatFull(at)}>
                {formatShortTime(at)}
              </time>
            ) : null}
          </span>
          <span className="dialog-item-bottom">
            <span className="dialog-item-preview">{preview}</span>
            {item.unread > 0 ? (
              <span className="badge" data-testid="unread-badge">
                {item.unread > 99 ? "99+" : item.unread}
              </span>
            ) : null}
          </span>
        </span>
      </Link>
    </li>
  );
}

function previewText(content: { kind: string; text?: string }): string {
  return content.kind === "text" && content.text ? content.text.replace(/\s+/g, " ") : "Message";
}
