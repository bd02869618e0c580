"use client";

import { useCallback, useMemo } from "react";
import { useSyncActions } from "~/sync/sync-provider";
import type { TimelineEntry } from "~/sync/types";
import { replyDrafts } from "./reply-draft";

/**
 * The conversation's message actions, wired to the sync engine: react, reply (through the
 * composer's draft), edit, delete for everyone, and jumping to a quoted message. `send` sends the
 * composer's text as a reply when a reply is being drafted.
 */
export function useMessageLifecycle(
  dialogId: string,
  options: { canModerate: boolean; show: (seq: number) => void },
) {
  const actions = useSyncActions();
  const { canModerate, show } = options;
  const lifecycle = useMemo(
    () => ({
      canModerate,
      show,
      react: (msgId: string, emoji: string, on: boolean) =>
        actions.change(dialogId, { kind: "reaction", target: msgId, emoji, on }),
      edit: (msgId: string, text: string) => actions.change(dialogId, { kind: "edit", target: msgId, text }),
      remove: (msgId: string) => actions.change(dialogId, { kind: "delete", target: msgId }),
      reply: (entry: TimelineEntry) => {
        if (!entry.id) return;
        replyDrafts.start(dialogId, {
          id: entry.id,
          seq: entry.seq,
          senderId: entry.senderId,
          text: entry.text,
        });
        document.querySelector<HTMLTextAreaElement>(".composer-input")?.focus();
      },
      load: (seq: number) => actions.loadAround(dialogId, seq),
    }),
    [actions, dialogId, canModerate, show],
  );
  const send = useCallback(
    (text: string) => {
      const draft = replyDrafts.get(dialogId);
      if (!draft) return actions.send(dialogId, text);
      replyDrafts.clear(dialogId);
      actions.reply(dialogId, draft.id, text);
    },
    [actions, dialogId],
  );
  return { lifecycle, send };
}
