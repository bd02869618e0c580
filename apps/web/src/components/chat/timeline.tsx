"use client";

import { useCallback, useEffect, useLayoutEffect, useRef } from "react";
import { LocalTime } from "~/components/local-time";
import { MessageItem, type MessageLifecycle } from "~/components/message/message-item";
import { formatClock } from "~/lib/format-time";
import type { DeliveryState, TimelineEntry } from "~/sync/types";
import { groupMessages } from "./group-messages";

// Within this distance of the bottom the view follows new messages; further up it stays put.
const STICK_TO_BOTTOM_PX = 120;

export function Timeline({
  entries,
  viewerId,
  nameOf,
  deliveryOf,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onSeen,
  onRetry,
  onDiscard,
  expectsMessages = false,
  lifecycle,
}: {
  entries: TimelineEntry[];
  viewerId: string;
  nameOf: (userId: string) => string;
  deliveryOf: (entry: TimelineEntry) => DeliveryState;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onSeen: (seq: number) => void;
  onRetry: (key: string) => void;
  onDiscard: (key: string) => void;
  /** The dialog is known to hold messages this view does not show yet. */
  expectsMessages?: boolean;
  /** Edit, delete, reply and react (absent: read-only, e.g. before the engine runs). */
  lifecycle?: Omit<MessageLifecycle, "jump"> & {
    /** Loads the message at seq when the engine does not hold it. */
    load: (seq: number) => Promise<void>;
    /** Renders everything from the message at seq on (it may be above the rendered window). */
    show: (seq: number) => void;
  };
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const topSentinel = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const heightBeforePrepend = useRef<number | null>(null);
  const firstKey = entries[0]?.key;
  const lastKey = entries.at(-1)?.key;

  // Keep the reader's place when older history is prepended; follow the tail otherwise.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (heightBeforePrepend.current !== null) {
      el.scrollTop += el.scrollHeight - heightBeforePrepend.current;
      heightBeforePrepend.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [firstKey, lastKey, entries.length]);

  // Infinite scroll: the sentinel above the oldest message asks for the previous page.
  useEffect(() => {
    const el = topSentinel.current;
    const root = scroller.current;
    if (!el || !root || !hasOlder) return;
    const observer = new IntersectionObserver(
      (items) => {
        if (items.some((item) => item.isIntersecting) && !loadingOlder) {
          heightBeforePrepend.current = root.scrollHeight;
          onLoadOlder();
        }
      },
      { root, rootMargin: "200px 0px 0px 0px" },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasOlder, loadingOlder, onLoadOlder]);

  // Read state advances only for messages that were actually on screen while the tab was visible.
  useEffect(() => {
    const root = scroller.current;
    if (!root) return;
    const observer = new IntersectionObserver(
      (items) => {
        if (document.visibilityState !== "visible") return;
        let highest = 0;
        for (const item of items) {
          const seq = Number((item.target as HTMLElement).dataset.seq);
          if (item.isIntersecting && Number.isFinite(seq) && seq > highest) highest = seq;
        }
        if (highest > 0) onSeen(highest);
      },
      { root, threshold: 0.5 },
    );
    for (const node of root.querySelectorAll<HTMLElement>("[data-seq]")) observer.observe(node);
    return () => observer.disconnect();
  }, [entries, onSeen]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
  }

  // A quote was clicked: once the original is rendered, scroll it into view and flash it.
  const jumpTarget = useRef<number | null>(null);
  const jump = useCallback(
    (seq: number) => {
      jumpTarget.current = seq;
      stickToBottom.current = false;
      lifecycle?.show(seq);
      scrollToJumpTarget(scroller.current, jumpTarget);
      void lifecycle?.load(seq).catch(() => undefined);
    },
    [lifecycle],
  );
  useEffect(() => {
    const seq = jumpTarget.current;
    if (seq === null) return;
    lifecycle?.show(seq);
    scrollToJumpTarget(scroller.current, jumpTarget);
  }, [entries, lifecycle]);

  const groups = groupMessages(entries);
  return (
    <div className="timeline" ref={scroller} onScroll={onScroll}>
      <div ref={topSentinel} className="timeline-top">
        {loadingOlder
          ? "Loading earlier messages…"
          : hasOlder
            ? ""
            : entries.length > 0
              ? "Start of the conversation"
              : ""}
      </div>
      {entries.length === 0 && !hasOlder ? (
        <p className="timeline-empty">
          {expectsMessages ? "Loading messages…" : "No messages yet. Say hello!"}
        </p>
      ) : null}
      <ol
        className="timeline-list"
        role="log"
        aria-label="Messages"
        aria-live="polite"
        aria-relevant="additions"
      >
        {groups.map((group) => {
          const isOwn = group.senderId === viewerId;
          const sender = isOwn ? "You" : nameOf(group.senderId);
          return (
            <li key={group.key} className={`message-group${isOwn ? " own" : ""}`}>
              <div className="message-group-header">
                <span className="message-sender">{sender}</span>
                <LocalTime at={group.startedAt} format={formatClock} />
              </div>
              <ul className="message-group-body">
                {group.entries.map((entry) => (
                  <MessageItem
                    key={entry.key}
                    entry={entry}
                    sender={sender}
                    isOwn={isOwn}
                    viewerId={viewerId}
                    nameOf={nameOf}
                    delivery={deliveryOf(entry)}
                    onRetry={onRetry}
                    onDiscard={onDiscard}
                    failureText={failureReason}
                    {...(lifecycle ? { lifecycle: { ...lifecycle, jump } } : {})}
                  />
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function scrollToJumpTarget(root: HTMLElement | null, target: { current: number | null }): void {
  const seq = target.current;
  const node = seq === null ? null : root?.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
  if (!node) return;
  target.current = null;
  node.scrollIntoView({ block: "center" });
  node.classList.add("jump-highlight");
  setTimeout(() => node.classList.remove("jump-highlight"), 1600);
}

/** The engine's "CODE: message" as a reason a person can act on. */
function failureReason(error: string): string {
  const code = error.split(":", 1)[0];
  if (code === "NOT_FOUND") return "you are no longer in this conversation";
  if (code === "BAD_REQUEST") return "the message could not be accepted";
  if (code === "TOO_MANY_REQUESTS") return "too many messages; wait a moment";
  if (code === "FORBIDDEN") return "you are not allowed to do that";
  if (code === "PAYLOAD_TOO_LARGE") return "the file is too large";
  if (code === "UNSUPPORTED_MEDIA_TYPE") return "this type of file cannot be sent";
  if (code === "UPLOAD_INTERRUPTED" || code === "NETWORK") return "the upload did not finish";
  return "the server refused it";
}
