import Link from "next/link";
import { initials } from "./sidebar";

export function ConversationHeader({
  title,
  kind,
  memberCount,
  showMembers,
  onToggleMembers,
}: {
  title: string;
  kind: "direct" | "group";
  memberCount: number;
  showMembers: boolean;
  onToggleMembers: () => void;
}) {
  return (
    <header className="pane-header">
      <Link href="/chat" className="button ghost small back-link">
        <span aria-hidden="true">←</span>
        <span className="visually-hidden">Back to conversations</span>
      </Link>
      <span className={`avatar${kind === "group" ? " group" : ""}`} aria-hidden="true">
        {initials(title)}
      </span>
      <div className="pane-title">
        <h1>{title}</h1>
        {kind === "group" ? <span className="muted">{memberCount} members</span> : null}
      </div>
      <button
        type="button"
        className="button ghost small"
        aria-expanded={showMembers}
        aria-controls="members-panel"
        onClick={onToggleMembers}
      >
        {kind === "group" ? "Members" : "Details"}
      </button>
    </header>
  );
}
