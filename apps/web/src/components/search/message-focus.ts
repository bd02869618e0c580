"use client";

import { messageSearchWords } from "@parley/protocol";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

/** The message a view is asked to show and mark: a search hit (with the words that matched). */
export type MessageFocus = { msgId: string; seq: number; words: string[] };

/** A conversation URL that opens at one message with the search words marked. */
export function focusHref(hit: { dialogId: string; id: string; seq: number }, query: string): string {
  const params = new URLSearchParams({ m: hit.id, seq: String(hit.seq), q: query });
  return `/chat/${hit.dialogId}?${params.toString()}`;
}

function focusFromParams(params: URLSearchParams | null): MessageFocus | null {
  const msgId = params?.get("m");
  const seq = Number(params?.get("seq"));
  if (!msgId || !/^\d{1,20}$/.test(msgId) || !Number.isSafeInteger(seq) || seq < 1) return null;
  return { msgId, seq, words: messageSearchWords(params?.get("q") ?? "") };
}

/** The focus a conversation opens with (from the URL), and a setter for in-conversation search. */
export function useMessageFocus(): [MessageFocus | null, (focus: MessageFocus | null) => void] {
  const params = useSearchParams();
  const key = params?.toString() ?? "";
  const [focus, setFocus] = useState<MessageFocus | null>(() => focusFromParams(params));
  // A new search result in the conversation already open arrives as new params, same component.
  useEffect(() => {
    setFocus(focusFromParams(new URLSearchParams(key)));
  }, [key]);
  return [focus, setFocus];
}
