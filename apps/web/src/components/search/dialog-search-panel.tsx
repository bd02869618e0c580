"use client";

import { messageSearchWords } from "@parley/protocol";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, type RefObject, useEffect, useId, useMemo, useState } from "react";
import { LocalTime } from "~/components/local-time";
import { errorMessage } from "~/lib/errors";
import { formatShortTime } from "~/lib/format-time";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { HighlightedText, messageText, snippetAround } from "./highlighted-text";
import type { MessageFocus } from "./message-focus";
import { useDebounced } from "./use-debounced";

type Hit = RouterOutputs["search"]["messages"]["messages"][number];

const DEBOUNCE_MS = 300;
const RESULTS = 50;

/**
 * Search inside one conversation (Ctrl/Cmd+F): results newest first; Enter / ↓ go to the next older
 * match, Shift+Enter / ↑ to the newer one, each shown in the timeline in context; Escape closes.
 */
export function DialogSearchPanel({
  dialogId,
  inputRef,
  nameOf,
  onPick,
  onClose,
}: {
  dialogId: string;
  inputRef: RefObject<HTMLInputElement | null>;
  nameOf: (userId: string) => string;
  onPick: (focus: MessageFocus) => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const ids = useId();
  const [text, setText] = useState("");
  const [active, setActive] = useState(-1);
  const query = useDebounced(text.trim(), DEBOUNCE_MS);
  const words = useMemo(() => messageSearchWords(query), [query]);
  const results = useQuery({
    ...trpc.search.messages.queryOptions({ dialogId, query, limit: RESULTS }),
    enabled: words.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
    retry: false,
  });
  const hits: Hit[] = words.length > 0 ? (results.data?.messages ?? []) : [];

  // A new query starts again from its newest match.
  useEffect(() => setActive(-1), [query]);

  function go(index: number) {
    const hit = hits[index];
    if (!hit) return;
    setActive(index);
    onPick({ msgId: hit.id, seq: hit.seq, words });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "ArrowDown") {
      event.preventDefault();
      go(Math.min(active + 1, hits.length - 1));
    } else if ((event.key === "Enter" && event.shiftKey) || event.key === "ArrowUp") {
      event.preventDefault();
      go(Math.max(active - 1, 0));
    }
  }

  const status = results.error
    ? errorMessage(results.error)
    : text.trim() === ""
      ? "Search this conversation"
      : words.length === 0
        ? "Type a word of at least 3 letters."
        : text.trim() !== query || results.isFetching
          ? "Searching…"
          : hits.length === 0
            ? "No messages found."
            : active >= 0
              ? `${active + 1} of ${hits.length}${results.data?.nextCursor ? "+" : ""}`
              : `${hits.length}${results.data?.nextCursor ? "+" : ""} found`;

  return (
    <search className="dialog-search" aria-label="Search in this conversation">
      <div className="dialog-search-bar">
        <label htmlFor={`${ids}-input`} className="visually-hidden">
          Search in this conversation
        </label>
        <input
          ref={inputRef}
          id={`${ids}-input`}
          type="search"
          className="search-input"
          placeholder="Search in this conversation"
          value={text}
          autoComplete="off"
          spellCheck={false}
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={`${ids}-results`}
          aria-activedescendant={active >= 0 ? `${ids}-hit-${active}` : undefined}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <span className="dialog-search-count muted" role="status" data-testid="dialog-search-status">
          {status}
        </span>
        <button
          type="button"
          className="button ghost small"
          aria-label="Newer match"
          disabled={active <= 0}
          onClick={() => go(active - 1)}
        >
          ↑
        </button>
        <button
          type="button"
          className="button ghost small"
          aria-label="Older match"
          disabled={active >= hits.length - 1}
          onClick={() => go(active + 1)}
        >
          ↓
        </button>
        <button type="button" className="button ghost small" aria-label="Close search" onClick={onClose}>
          ✕
        </button>
      </div>
      {hits.length > 0 ? (
        <div
          className="search-list dialog-search-list"
          id={`${ids}-results`}
          role="listbox"
          aria-label="Matches"
        >
          {hits.map((hit, index) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard drives the list from the search field (aria-activedescendant)
            <div
              key={hit.id}
              id={`${ids}-hit-${index}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              className={`search-option${index === active ? " active" : ""}`}
              data-testid="dialog-search-hit"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => go(index)}
            >
              <span className="search-option-main">
                <span className="search-option-top">
                  <strong>{nameOf(hit.senderId)}</strong>
                  <LocalTime className="muted" at={hit.createdAt} format={formatShortTime} />
                </span>
                <span className="search-snippet">
                  <HighlightedText text={snippetAround(messageText(hit.content), words)} words={words} />
                </span>
              </span>
            </div>
          ))}
        </div>
      ) : null}
    </search>
  );
}
