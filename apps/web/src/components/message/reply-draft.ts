import { useSyncExternalStore } from "react";

/** The message a dialog's composer answers (set from a message's Reply action). */
export type ReplyDraft = { id: string; seq: number | null; senderId: string; text: string | null };

const drafts = new Map<string, ReplyDraft>();
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

/**
 * One reply draft per dialog, shared by the timeline (which starts it) and the composer (which
 * shows and sends it): a tiny external store, so neither has to thread it through the page.
 */
export const replyDrafts = {
  start(dialogId: string, draft: ReplyDraft): void {
    drafts.set(dialogId, draft);
    notify();
  },
  clear(dialogId: string): void {
    if (drafts.delete(dialogId)) notify();
  },
  get(dialogId: string): ReplyDraft | null {
    return drafts.get(dialogId) ?? null;
  },
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useReplyDraft(dialogId: string): ReplyDraft | null {
  return useSyncExternalStore(
    subscribe,
    () => replyDrafts.get(dialogId),
    () => null,
  );
}
