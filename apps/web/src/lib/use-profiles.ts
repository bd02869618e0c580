"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { useProfileSeed } from "./profile-seed";

export type Profile = RouterOutputs["user"]["byIds"][number];

/**
 * Names for user ids (senders, members, direct-chat peers). Profiles change rarely: cache long.
 * Names the server rendered with are shown at once; only ids without one are asked for.
 */
export function useProfiles(ids: readonly (string | null | undefined)[]): Map<string, Profile> {
  const trpc = useTRPC();
  const seed = useProfileSeed();
  const wanted = useMemo(
    () => [...new Set(ids.filter((id): id is string => typeof id === "string"))].sort(),
    [ids],
  );
  const missing = wanted.filter((id) => !seed.has(id));
  const query = useQuery({
    ...trpc.user.byIds.queryOptions({ ids: missing.length > 0 ? missing.slice(0, 100) : ["1"] }),
    enabled: missing.length > 0,
    staleTime: 5 * 60_000,
    placeholderData: (previous) => previous,
  });
  return useMemo(() => {
    const profiles = new Map<string, Profile>();
    for (const id of wanted) {
      const known = seed.get(id);
      if (known) profiles.set(id, known);
    }
    for (const profile of query.data ?? []) profiles.set(profile.id, profile);
    return profiles;
  }, [wanted, seed, query.data]);
}
