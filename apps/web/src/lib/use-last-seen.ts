"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { usePresenceTracker, useWatchPresence } from "~/sync/sync-provider";
import { useTRPC } from "~/trpc/react";

/**
 * Follows these users' presence (live, through the gateway) and fills in when each was last seen
 * from the API (stored; the gateway knows only who is online now). Only people the viewer shares a
 * dialog with are answered, by both.
 */
export function useFollowPresence(userIds: readonly (string | null | undefined)[]): void {
  const trpc = useTRPC();
  const tracker = usePresenceTracker();
  const ids = useMemo(
    () => [...new Set(userIds.filter((id): id is string => typeof id === "string"))].sort().slice(0, 100),
    [userIds],
  );
  useWatchPresence(ids);
  const lastSeen = useQuery({
    ...trpc.presence.lastSeen.queryOptions({ userIds: ids.length > 0 ? ids : ["1"] }),
    enabled: ids.length > 0,
    staleTime: 60_000,
  });
  useEffect(() => {
    for (const entry of lastSeen.data ?? []) tracker.noteLastSeen(entry.userId, entry.lastSeenAt);
  }, [lastSeen.data, tracker]);
}
