"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";

export type Profile = RouterOutputs["user"]["byIds"][number];

/** Names for user ids (senders, members, direct-chat peers). Profiles change rarely: cache long. */
export function useProfiles(ids: readonly (string | null | undefined)[]): Map<string, Profile> {
  const trpc = useTRPC();
  const wanted = useMemo(
    () => [...new Set(ids.filter((id): id is string => typeof id === "string"))].sort(),
    [ids],
  );
  const query = useQuery({
    ...trpc.user.byIds.queryOptions({ ids: wanted.length > 0 ? wanted.slice(0, 100) : ["1"] }),
    enabled: wanted.length > 0,
    staleTime: 5 * 60_000,
    placeholderData: (previous) => previous,
  });
  return useMemo(() => new Map((query.data ?? []).map((profile) => [profile.id, profile])), [query.data]);
}
