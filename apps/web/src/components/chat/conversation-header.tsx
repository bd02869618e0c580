"use client";

import Link from "next/link";
import type { PresenceState } from "~/sync/presence-tracker";
import { Avatar } from "./avatar";
import { PresenceLine } from "./presence-line";

export function ConversationHeader({
  title,
  kind,
  avatarUrl,
  memberCount,
  peerPresence,
  muted,
  onToggleMuted,
  showMembers,
  onToggleMembers,
  onSearch,
}: {
  title: string;
  kind: "direct" | "group";
  avatarUrl: string | null;
  memberCount: number;
  /** A direct chat's other person: online, or when last seen. */
  peerPresence: PresenceState | null;
  muted: boolean;
  onToggleMuted: () => void;
  showMembers: boolean;
  onToggleMembers: () => void;
  /** Opens the search of this conversation (Ctrl/Cmd+F does too). */
  onSearch: () => void;
}) {
  return (
    <header className="pane-header">
      <Link href="/chat" className="button ghost small back-link">
        <span aria-hidden="true">←</span>
        <span className="visually-hidden">Back to conversations</span>
      </Link>
      <Avatar name={title} url={avatarUrl} group={kind === "group"} online={peerPresence?.online === true} />
      <div className="pane-title">
        <h1 data-testid="conversation-title">{title}</h1>
        {kind === "group" ? (
          <span className="muted">{memberCount} members</span>
        ) : (
          <PresenceLine state={peerPresence} />
        )}
      </div>
      <button
        type="button"
        className="button ghost small"
        aria-label="Search in this conversation"
        onClick={onSearch}
      >
        Search
      </button>
      <button
        type="button"
        className="button ghost small"
        aria-pressed={muted}
        onClick={onToggleMuted}
        title={muted ? "Unmute: notify and count new messages" : "Mute: no notifications, not counted"}
      >
        {muted ? "Unmute" : "Mute"}
      </button>
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
