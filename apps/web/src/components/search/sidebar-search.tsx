"use client";

import { messageSearchWords } from "@parley/protocol";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type KeyboardEvent, type ReactNode, useId, useMemo, useState } from "react";
import { dialogTitle } from "~/components/chat/dialog-title";
import { initials } from "~/components/chat/initials";
import { LocalTime } from "~/components/local-time";
import { errorMessage } from "~/lib/errors";
import { INBOX_LIMIT } from "~/lib/first-paint";
import { formatShortTime } from "~/lib/format-time";
import { useProfiles } from "~/lib/use-profiles";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { HighlightedText, messageText, snippetAround } from "./highlighted-text";
import { focusHref } from "./message-focus";
import { useDebounced } from "./use-debounced";
import "./search.css";

type Person = RouterOutputs["search"]["people"][number];
type Hit = RouterOutputs["search"]["messages"]["messages"][number];
type Option = { kind: "person"; person: Person } | { kind: "message"; hit: Hit };

const DEBOUNCE_MS = 250;
/** People search needs three letters or digits (the server's rule; asking earlier only costs budget). */
const hasPeopleQuery = (query: string) => (query.match(/[\p{L}\p{N}]/gu) ?? []).length >= 3;

/**
 * The sidebar's search: people (to start a chat) and messages across one's dialogs (to open one in
 * context). While a query is typed the results replace the inbox; Escape or clearing brings it back.
 * A combobox: ↑/↓ move through the results, Enter opens one.
 */
export function SidebarSearch({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const ids = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const [openError, setOpenError] = useState<string | null>(null);
  const query = useDebounced(text.trim(), DEBOUNCE_MS);
  const words = useMemo(() => messageSearchWords(query), [query]);
  const searching = text.trim().length > 0;

  const people = useQuery({
    ...trpc.search.people.queryOptions({ query }),
    enabled: hasPeopleQuery(query),
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const messages = useQuery({
    ...trpc.search.messages.queryOptions({ query, limit: 20 }),
    enabled: words.length > 0,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const openDirect = useMutation(trpc.dialog.openDirect.mutationOptions());

  const inbox = useQuery({ ...trpc.dialog.list.queryOptions({ limit: INBOX_LIMIT }), enabled: false });
  const dialogsById = useMemo(
    () => new Map((inbox.data?.items ?? []).map((item) => [item.id, item])),
    [inbox.data],
  );
  const hits = words.length > 0 ? (messages.data?.messages ?? []) : [];
  const found = hasPeopleQuery(query) ? (people.data ?? []) : [];
  const profiles = useProfiles(
    useMemo(
      () => [
        ...hits.map((hit) => hit.senderId),
        ...hits.map((hit) => dialogsById.get(hit.dialogId)?.peerUserId),
      ],
      [hits, dialogsById],
    ),
  );

  const options: Option[] = [
    ...found.map((person) => ({ kind: "person" as const, person })),
    ...hits.map((hit) => ({ kind: "message" as const, hit })),
  ];
  const activeIndex = Math.min(active, options.length - 1);
  const optionId = (index: number) => `${ids}-option-${index}`;

  function reset() {
    setText("");
    setActive(0);
    setOpenError(null);
  }

  async function choose(option: Option) {
    setOpenError(null);
    if (option.kind === "message") {
      reset();
      router.push(focusHref(option.hit, query));
      return;
    }
    try {
      const dialog = await openDirect.mutateAsync({ userId: option.person.id });
      await queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() });
      reset();
      router.push(`/chat/${dialog.id}`);
    } catch (caught) {
      setOpenError(errorMessage(caught));
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      reset();
    } else if (event.key === "ArrowDown" && options.length > 0) {
      event.preventDefault();
      setActive((activeIndex + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length > 0) {
      event.preventDefault();
      setActive((activeIndex - 1 + options.length) % options.length);
    } else if (event.key === "Enter") {
      const option = options[activeIndex];
      if (option) {
        event.preventDefault();
        void choose(option);
      }
    }
  }

  const waiting = text.trim() !== query || people.isFetching || messages.isFetching;
  const problem =
    openError ??
    (people.error ? errorMessage(people.error) : messages.error ? errorMessage(messages.error) : null);
  const tooShort = searching && !hasPeopleQuery(text.trim()) && messageSearchWords(text).length === 0;

  return (
    <>
      <search className="sidebar-search">
        <label htmlFor={`${ids}-input`} className="visually-hidden">
          Search people and messages
        </label>
        <input
          id={`${ids}-input`}
          type="search"
          className="search-input"
          placeholder="Search people and messages"
          value={text}
          autoComplete="off"
          spellCheck={false}
          role="combobox"
          aria-expanded={searching}
          aria-controls={`${ids}-results`}
          aria-autocomplete="list"
          aria-activedescendant={searching && options.length > 0 ? optionId(activeIndex) : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
      </search>
      {searching ? (
        <div className="search-results" data-testid="search-results">
          <p className="search-status" role="status">
            {problem ??
              (tooShort
                ? "Type at least 3 letters."
                : waiting
                  ? "Searching…"
                  : options.length === 0
                    ? "Nothing found."
                    : `${found.length} ${found.length === 1 ? "person" : "people"}, ${hits.length}${
                        messages.data?.nextCursor ? "+" : ""
                      } ${hits.length === 1 ? "message" : "messages"}`)}
          </p>
          <div className="search-list" id={`${ids}-results`} role="listbox" aria-label="Search results">
            {options.map((option, index) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard drives the list from the search field (aria-activedescendant)
              <div
                key={option.kind === "person" ? `p${option.person.id}` : `m${option.hit.id}`}
                id={optionId(index)}
                role="option"
                tabIndex={-1}
                aria-selected={index === activeIndex}
                className={`search-option${index === activeIndex ? " active" : ""}`}
                data-testid={option.kind === "person" ? "search-person" : "search-message"}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => void choose(option)}
                onMouseEnter={() => setActive(index)}
              >
                {option.kind === "person" ? (
                  <PersonOption person={option.person} />
                ) : (
                  <MessageOption
                    hit={option.hit}
                    words={words}
                    sender={profiles.get(option.hit.senderId)?.displayName ?? "Someone"}
                    dialog={(() => {
                      const dialog = dialogsById.get(option.hit.dialogId);
                      return dialog ? dialogTitle(dialog, profiles) : "A conversation";
                    })()}
                  />
                )}
              </div>
            ))}
          </div>
        </div>
      ) : (
        children
      )}
    </>
  );
}

function PersonOption({ person }: { person: Person }) {
  return (
    <>
      <span className="avatar small" aria-hidden="true">
        {initials(person.displayName)}
      </span>
      <span className="search-option-main">
        <strong>{person.displayName}</strong>
        <span className="muted">
          @{person.handle}
          {person.isContact ? " · in your chats" : ""}
        </span>
      </span>
    </>
  );
}

function MessageOption({
  hit,
  words,
  sender,
  dialog,
}: {
  hit: Hit;
  words: readonly string[];
  sender: string;
  dialog: string;
}) {
  const text = messageText(hit.content);
  return (
    <span className="search-option-main">
      <span className="search-option-top">
        <strong>{dialog}</strong>
        <LocalTime className="muted" at={hit.createdAt} format={formatShortTime} />
      </span>
      <span className="search-snippet">
        <span className="muted">{sender}: </span>
        <HighlightedText text={snippetAround(text, words)} words={words} />
      </span>
    </span>
  );
}
