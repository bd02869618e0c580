"use client";

import { useRouter } from "next/navigation";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { useSyncActions } from "~/sync/sync-provider";
import type { TimelineEntry } from "~/sync/types";
import { DialogSearchPanel } from "./dialog-search-panel";
import { clearFocusedMessage, markFocusedMessage } from "./mark-focused-message";
import { type MessageFocus, useMessageFocus } from "./message-focus";
import "./search.css";

const timelineRoot = () => document.querySelector<HTMLElement>(".conversation .timeline");

/**
 * Finding things inside a conversation: the in-conversation search panel (Ctrl/Cmd+F), and opening
 * a message at its place with the matched words marked. The message is brought into the live
 * timeline the way a reply's quote is: revealed if the engine holds it, else loaded with the page
 * around it (`loadAround`: one history read on the dialog's shard, kept as a range of its own with
 * the holes on either side filled as usual) — so it shows in context, with its edits, reactions and
 * actions, and the reader scrolls on from there.
 */
export function useConversationSearch({
  dialogId,
  entries,
  reveal,
  nameOf,
}: {
  dialogId: string;
  entries: TimelineEntry[];
  reveal: (seq: number) => void;
  nameOf: (userId: string) => string;
}): { panel: ReactNode; openPanel: () => void } {
  const router = useRouter();
  const actions = useSyncActions();
  const [focus, setFocus] = useMessageFocus();
  const [panelOpen, setPanelOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  // The focus already scrolled to: later timeline changes must not pull the reader back to it.
  const marked = useRef<MessageFocus | null>(null);
  const loading = useRef<MessageFocus | null>(null);

  useEffect(() => {
    if (!focus || marked.current === focus) return;
    if (!entries.some((entry) => entry.seq === focus.seq)) {
      reveal(focus.seq);
      if (loading.current !== focus) {
        loading.current = focus;
        void actions.loadAround(dialogId, focus.seq).catch(() => undefined);
      }
      return;
    }
    const root = timelineRoot();
    if (root && markFocusedMessage(root, focus.seq, focus.words)) marked.current = focus;
  }, [focus, entries, reveal, actions, dialogId]);

  const leave = useCallback(() => {
    clearFocusedMessage(timelineRoot());
    setFocus(null);
    if (window.location.search) router.replace(`/chat/${dialogId}`, { scroll: false });
  }, [dialogId, router, setFocus]);

  const closePanel = useCallback(() => {
    setPanelOpen(false);
    leave();
  }, [leave]);

  const openPanel = useCallback(() => {
    setPanelOpen(true);
    requestAnimationFrame(() => inputRef.current?.focus());
  }, []);

  // Ctrl/Cmd+F searches the whole conversation (the browser's own find sees only what is rendered).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "f") {
        event.preventDefault();
        openPanel();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [openPanel]);

  const panel = panelOpen ? (
    <DialogSearchPanel
      dialogId={dialogId}
      inputRef={inputRef}
      nameOf={nameOf}
      onPick={setFocus}
      onClose={closePanel}
    />
  ) : null;
  return { panel, openPanel };
}
