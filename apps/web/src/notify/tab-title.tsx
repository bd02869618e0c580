"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { INBOX_LIMIT } from "~/lib/first-paint";
import { useTRPC } from "~/trpc/react";

const COUNT_PREFIX = /^\(\d+\+?\) /;

/**
 * Unread messages in the tab's title, "(3) Parley", from the live inbox (muted dialogs do not
 * count). Whatever the page set as its title stays after the count.
 */
export function TabTitle() {
  const trpc = useTRPC();
  const inbox = useQuery(trpc.dialog.list.queryOptions({ limit: INBOX_LIMIT }));
  const unread = (inbox.data?.items ?? []).reduce(
    (sum, item) => (item.muted ? sum : sum + item.unreadCount),
    0,
  );
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(COUNT_PREFIX, "") || "Parley";
      const label = unread > 999 ? "999+" : String(unread);
      const next = unread > 0 ? `(${label}) ${base}` : base;
      if (document.title !== next) document.title = next;
    };
    apply();
    // Navigations may set the page's own title again: put the count back in front of it.
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      // Signed out or gone: the count must not stay behind in the title.
      document.title = document.title.replace(COUNT_PREFIX, "");
    };
  }, [unread]);
  return null;
}
