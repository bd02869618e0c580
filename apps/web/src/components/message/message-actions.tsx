"use client";

import { COMMON_REACTIONS } from "@parley/protocol";
import { useState } from "react";

/**
 * A message's actions: react (a small picker of common emoji), reply, edit (own messages) and delete
 * for everyone (own, or anyone's for a group's owner and admins) after a confirmation. Shown on
 * hover or focus on a desktop, and after a tap on a touch screen (the message's "selected" state).
 */
export function MessageActions({
  canEdit,
  canDelete,
  onReact,
  onReply,
  onEdit,
  onDelete,
}: {
  canEdit: boolean;
  canDelete: boolean;
  onReact: (emoji: string) => void;
  onReply: () => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  if (confirming) {
    return (
      <div className="message-actions confirming" role="alertdialog" aria-label="Delete message">
        <span>Delete for everyone?</span>
        <button type="button" className="link-button danger" onClick={onDelete} data-testid="confirm-delete">
          Delete
        </button>
        <button type="button" className="link-button" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    );
  }
  return (
    <div className="message-actions" role="toolbar" aria-label="Message actions">
      {picking ? (
        <div className="reaction-picker" role="menu" aria-label="Pick a reaction">
          {COMMON_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="reaction-pick"
              role="menuitem"
              aria-label={`React with ${emoji}`}
              onClick={() => {
                setPicking(false);
                onReact(emoji);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      ) : (
        <>
          <button type="button" className="action-button" aria-label="React" onClick={() => setPicking(true)}>
            ☺
          </button>
          <button type="button" className="action-button" onClick={onReply}>
            Reply
          </button>
          {canEdit ? (
            <button type="button" className="action-button" onClick={onEdit}>
              Edit
            </button>
          ) : null}
          {canDelete ? (
            <button type="button" className="action-button" onClick={() => setConfirming(true)}>
              Delete
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}
