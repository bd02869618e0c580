"use client";

import type { TimelineEntry } from "~/sync/types";

/** The quoted original above a reply; a click scrolls to it (loading it first if needed). */
export function ReplyQuote({
  reply,
  nameOf,
  onJump,
}: {
  reply: NonNullable<TimelineEntry["reply"]>;
  nameOf: (userId: string) => string;
  onJump: (seq: number) => void;
}) {
  return (
    <button
      type="button"
      className="reply-quote"
      data-testid="reply-quote"
      onClick={() => onJump(reply.seq)}
      aria-label={`Reply to ${nameOf(reply.senderId)}: ${reply.text ?? "message deleted"}. Show it`}
    >
      <span className="reply-quote-sender">{nameOf(reply.senderId)}</span>
      <span className={`reply-quote-text${reply.text === null ? " deleted" : ""}`}>
        {reply.text ?? "Message deleted"}
      </span>
    </button>
  );
}
