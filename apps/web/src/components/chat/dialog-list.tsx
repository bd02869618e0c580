"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useMemo } from "react";
import { INBOX_LIMIT } from "~/lib/first-paint";
import { useFollowPresence } from "~/lib/use-last-seen";
import { useProfiles } from "~/lib/use-profiles";
import { useTRPC } from "~/trpc/react";
import { DialogListItem } from "./dialog-list-item";
import { dialogAvatarUrl, dialogTitle } from "./dialog-title";

/** The inbox. Kept live by the sync provider, which invalidates this query on every event. */
export function DialogList() {
  const trpc = useTRPC();
  const params = useParams<{ dialogId?: string }>();
  const inbox = useQuery(trpc.dialog.list.queryOptions({ limit: INBOX_LIMIT }));
  const peerIds = useMemo(() => inbox.data?.items.map((item) => item.peerUserId) ?? [], [inbox.data]);
  const profiles = useProfiles(peerIds);
  // Direct peers' presence shows as a dot on their row.
  useFollowPresence(peerIds);

  if (inbox.isPending) return <p className="dialog-list-status">Loading conversations…</p>;
  if (inbox.error) return <p className="dialog-list-status">Could not load conversations.</p>;
  const items = inbox.data.items;
  if (items.length === 0) {
    return <p className="dialog-list-status">No conversations yet. Press + to start one.</p>;
  }
  return (
    <ul className="dialog-list" aria-label="Inbox" id="inbox" tabIndex={-1}>
      {items.map((item) => (
        <DialogListItem
          key={item.id}
          item={item}
          title={dialogTitle(item, profiles)}
          avatarUrl={dialogAvatarUrl(item, profiles)}
          isActive={item.id === params.dialogId}
        />
      ))}
    </ul>
  );
}
