"use client";

import { useState } from "react";
import { AttachmentList } from "~/components/attachments/attachment-list";
import { DeliveryStatus } from "~/components/chat/delivery-status";
import { LinkifiedText } from "~/components/chat/linkified-text";
import { LocalTime } from "~/components/local-time";
import { formatClock } from "~/lib/format-time";
import type { DeliveryState, TimelineEntry } from "~/sync/types";
import { MessageActions } from "./message-actions";
import { MessageEditor } from "./message-editor";
import { ReactionChips } from "./reaction-chips";
import { ReplyQuote } from "./reply-quote";
import "./message-life-cycle.css";

/** What a message can do to itself (wired to the sync engine by the conversation). */
export type MessageLifecycle = {
  react: (msgId: string, emoji: string, on: boolean) => void;
  reply: (entry: TimelineEntry) => void;
  edit: (msgId: string, text: string) => void;
  remove: (msgId: string) => void;
  /** Scrolls to a message by seq, loading it first when it is not held. */
  jump: (seq: number) => void;
  /** The viewer is a group's owner or admin: may delete anyone's message. */
  canModerate: boolean;
};

/** One message: quote, text or tombstone, "edited", reactions, actions, delivery and failure. */
export function MessageItem({
  entry,
  sender,
  isOwn,
  viewerId,
  nameOf,
  delivery,
  lifecycle,
  onRetry,
  onDiscard,
  failureText,
}: {
  entry: TimelineEntry;
  sender: string;
  isOwn: boolean;
  viewerId: string;
  nameOf: (userId: string) => string;
  delivery: DeliveryState;
  lifecycle?: MessageLifecycle;
  onRetry: (key: string) => void;
  onDiscard: (key: string) => void;
  failureText: (error: string) => string;
}) {
  const [editing, setEditing] = useState(false);
  const [selected, setSelected] = useState(false);
  const isDeleted = entry.deleted === true;
  const msgId = entry.id;
  // Only confirmed messages take changes: a change names the message's server id.
  const actions = lifecycle && msgId && !isDeleted ? lifecycle : null;
  const reactions = entry.reactions ?? [];

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard users reach the actions by focus (focus-within shows them); the tap is for touch screens
    <li
      className={`message message-${entry.status}${isDeleted ? " message-deleted" : ""}${selected ? " selected" : ""}`}
      data-testid="message"
      data-seq={entry.seq ?? undefined}
      data-sender={entry.senderId}
      data-msg-id={msgId ?? undefined}
      onClick={(event) => {
        // A tap selects a message on touch screens (no hover there); links and buttons act as usual.
        if ((event.target as HTMLElement).closest("a, button, textarea")) return;
        setSelected((value) => !value);
      }}
    >
      <span className="visually-hidden">{sender}: </span>
      {entry.reply && lifecycle ? (
        <ReplyQuote reply={entry.reply} nameOf={nameOf} onJump={lifecycle.jump} />
      ) : null}
      {editing && actions && msgId ? (
        <MessageEditor
          initial={entry.text}
          onCancel={() => setEditing(false)}
          onSave={(text) => {
            setEditing(false);
            actions.edit(msgId, text);
          }}
        />
      ) : isDeleted ? (
        <span className="message-text message-tombstone" data-testid="tombstone">
          Message deleted
        </span>
      ) : (
        <>
          {entry.attachments ? (
            <AttachmentList attachments={entry.attachments} upload={entry.upload} />
          ) : null}
          {entry.text || !entry.attachments ? (
            <span className="message-text">
              <LinkifiedText text={entry.text} />
            </span>
          ) : null}
        </>
      )}
      <span className="message-meta">
        {entry.editedAt && !isDeleted ? (
          <span className="message-edited" data-testid="edited">
            edited
          </span>
        ) : null}
        <LocalTime at={entry.createdAt} format={formatClock} />
        {isOwn ? <DeliveryStatus state={delivery} /> : null}
      </span>
      {actions && msgId ? (
        <ReactionChips
          reactions={reactions}
          nameOf={nameOf}
          viewerId={viewerId}
          onToggle={(emoji, on) => actions.react(msgId, emoji, on)}
        />
      ) : null}
      {actions && msgId && !editing ? (
        <MessageActions
          canEdit={isOwn && entry.kind !== "media"}
          canDelete={isOwn || actions.canModerate}
          onReact={(emoji) => {
            const mine = reactions.find((r) => r.emoji === emoji)?.mine ?? false;
            actions.react(msgId, emoji, !mine);
          }}
          onReply={() => actions.reply(entry)}
          onEdit={() => setEditing(true)}
          onDelete={() => actions.remove(msgId)}
        />
      ) : null}
      {entry.status === "failed" ? (
        <span className="message-failed" role="alert">
          Not sent{entry.error ? `: ${failureText(entry.error)}` : ""}.{" "}
          <button type="button" className="link-button" onClick={() => onRetry(entry.key)}>
            Retry
          </button>{" "}
          <button type="button" className="link-button" onClick={() => onDiscard(entry.key)}>
            Delete
          </button>
        </span>
      ) : null}
    </li>
  );
}
