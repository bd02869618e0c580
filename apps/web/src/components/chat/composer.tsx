"use client";

import { MAX_TEXT_LENGTH } from "@parley/protocol";
import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from "react";

const TYPING_THROTTLE_MS = 3000;

/**
 * Enter sends, Shift+Enter adds a line. Sending is synchronous into the engine's queue and the box
 * clears at once, so text typed fast is queued in the order it was entered.
 */
export function Composer({
  onSend,
  onTyping,
  disabled,
}: {
  onSend: (text: string) => void;
  onTyping: () => void;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const lastTypingAt = useRef(0);

  function send() {
    if (text.trim().length === 0 || [...text].length > MAX_TEXT_LENGTH) return;
    onSend(text);
    setText("");
    lastTypingAt.current = 0;
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // isComposing: Enter that confirms an IME candidate must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  function onChange(value: string) {
    setText(value);
    const now = Date.now();
    if (value.length > 0 && now - lastTypingAt.current > TYPING_THROTTLE_MS) {
      lastTypingAt.current = now;
      onTyping();
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    send();
  }

  const tooLong = [...text].length > MAX_TEXT_LENGTH;
  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        className="composer-input"
        placeholder="Write a message…"
        rows={1}
        value={text}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-hint`}
        aria-invalid={tooLong || undefined}
      />
      <span id={`${id}-hint`} className="visually-hidden">
        Enter sends, Shift+Enter adds a new line.
      </span>
      <button
        type="submit"
        className="button primary composer-send"
        disabled={disabled || tooLong || text.trim().length === 0}
      >
        Send
      </button>
    </form>
  );
}
