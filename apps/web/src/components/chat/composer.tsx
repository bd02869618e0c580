"use client";

import { MAX_TEXT_LENGTH } from "@parley/protocol";
import { type ClipboardEvent, type FormEvent, type KeyboardEvent, useId, useRef, useState } from "react";
import { PaperclipIcon } from "~/components/attachments/paperclip-icon";
import { StagedFiles } from "~/components/attachments/staged-files";
import { useStagedFiles } from "~/components/attachments/use-staged-files";

const TYPING_THROTTLE_MS = 3000;
// The counter appears this close to the limit: out of the way for ordinary messages.
const COUNTER_FROM = MAX_TEXT_LENGTH - 500;
const count = new Intl.NumberFormat("en");

/**
 * Enter sends, Shift+Enter adds a line. Sending is synchronous into the engine's queue and the box
 * clears at once, so text typed fast is queued in the order it was entered. Files (the attach
 * button, a paste, or a drop anywhere on the page) go with the next message, the text as caption;
 * the message takes its place in the order when sent, even though its files upload afterwards.
 */
export function Composer({
  onSend,
  onSendFiles,
  onTyping,
  disabled,
}: {
  onSend: (text: string) => void;
  /** Absent: no attachments here (the attach button is not shown). */
  onSendFiles?: (files: File[], text: string) => void;
  onTyping: () => void;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const lastTypingAt = useRef(0);
  const picker = useRef<HTMLInputElement>(null);
  const staged = useStagedFiles();
  const hasFiles = onSendFiles !== undefined && staged.files.length > 0;

  function send() {
    if ([...text].length > MAX_TEXT_LENGTH) return;
    if (hasFiles) {
      onSendFiles(staged.files, text);
      staged.clear();
    } else {
      if (text.trim().length === 0) return;
      onSend(text);
    }
    setText("");
    lastTypingAt.current = 0;
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (!onSendFiles || files.length === 0) return;
    event.preventDefault();
    staged.add(files);
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

  const length = [...text].length;
  const tooLong = length > MAX_TEXT_LENGTH;
  const showCounter = length >= COUNTER_FROM;
  return (
    <form className="composer" onSubmit={onSubmit}>
      {onSendFiles ? (
        <>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            data-testid="attach-input"
            onChange={(event) => {
              staged.add([...(event.target.files ?? [])]);
              event.target.value = "";
            }}
          />
          <button
            type="button"
            className="button composer-attach"
            aria-label="Attach files"
            title="Attach files"
            disabled={disabled}
            onClick={() => picker.current?.click()}
          >
            <PaperclipIcon size={20} />
          </button>
          {staged.dragging ? <div className="drop-overlay">Drop files to attach</div> : null}
        </>
      ) : null}
      <div className="composer-field">
        <StagedFiles files={staged.files} error={staged.error} onRemove={staged.remove} />
        <label htmlFor={id} className="visually-hidden">
          Message
        </label>
        <textarea
          id={id}
          className="composer-input"
          placeholder={hasFiles ? "Add a caption…" : "Write a message…"}
          rows={1}
          value={text}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-describedby={`${id}-hint${showCounter ? ` ${id}-count` : ""}`}
          aria-invalid={tooLong || undefined}
        />
        <span id={`${id}-hint`} className="visually-hidden">
          Enter sends, Shift+Enter adds a new line.
        </span>
        {showCounter ? (
          <p id={`${id}-count`} className={`composer-count${tooLong ? " over" : ""}`} aria-live="polite">
            {tooLong
              ? `Too long to send: ${count.format(length)} of ${count.format(MAX_TEXT_LENGTH)} characters. Remove ${count.format(length - MAX_TEXT_LENGTH)} to send it.`
              : `${count.format(length)} / ${count.format(MAX_TEXT_LENGTH)}`}
          </p>
        ) : null}
      </div>
      <button
        type="submit"
        className="button primary composer-send"
        disabled={disabled || tooLong || (text.trim().length === 0 && !hasFiles)}
        aria-describedby={tooLong ? `${id}-count` : undefined}
      >
        Send
      </button>
    </form>
  );
}
