"use client";

import { replyDrafts, useReplyDraft } from "./reply-draft";

/** Above the composer while a reply is drafted: whom it answers, and a way out. */
export function ReplyBanner({ dialogId, nameOf }: { dialogId: string; nameOf: (userId: string) => string }) {
  const draft = useReplyDraft(dialogId);
  if (!draft) return null;
  return (
    <div className="composer-reply" data-testid="reply-banner">
      <span className="composer-reply-text">
        Replying to <strong>{nameOf(draft.senderId)}</strong>: {draft.text ?? "message"}
      </span>
      <button
        type="button"
        className="link-button"
        aria-label="Cancel reply"
        onClick={() => replyDrafts.clear(dialogId)}
      >
        ✕
      </button>
    </div>
  );
}
