"use client";

import { MAX_TEXT_LENGTH } from "@parley/protocol";
import { type KeyboardEvent, useState } from "react";

/** Inline edit of one's own message: Enter saves, Escape cancels; unchanged or empty text saves nothing. */
export function MessageEditor({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  const isValid = text.trim().length > 0 && [...text].length <= MAX_TEXT_LENGTH;

  function save() {
    if (!isValid) return;
    if (text === initial) onCancel();
    else onSave(text);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  }

  return (
    <div className="message-editor">
      <textarea
        aria-label="Edit message"
        className="message-editor-input"
        value={text}
        // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this message
        autoFocus
        rows={Math.min(6, text.split("\n").length)}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="message-editor-buttons">
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="link-button" onClick={save} disabled={!isValid}>
          Save
        </button>
      </div>
    </div>
  );
}
