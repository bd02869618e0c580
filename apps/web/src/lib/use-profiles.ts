"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useProfileUpdates } from "~/sync/sync-provider";
import { useTRPC } from "~/trpc/react";
import type { Profile } from "./profile";
import { useProfileSeed } from "./profile-seed";

export type { Profile } from "./profile";

/**
 * Names for user ids (senders, members, direct-chat peers). Profiles change rarely: cache long.
 * Names the server rendered with are shown at once; only ids without one are asked for. A pushed
 * profile change (a newer version than the cached one) wins, so renames show at once everywhere.
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
  const { updates, revision } = useProfileUpdates();
  return useMemo(() => {
    void revision; // a pushed change re-runs this
    const profiles = new Map<string, Profile>();
    for (const id of wanted) {
      const known = seed.get(id);
      if (known) profiles.set(id, known);
    }
    for (const profile of query.data ?? []) {
      const known = profiles.get(profile.id);
      if (!known || known.version <= profile.version) profiles.set(profile.id, profile);
    }
    for (const [id, profile] of profiles) {
      const pushed = updates.get(id);
      if (pushed && pushed.version > profile.version) profiles.set(id, { ...profile, ...pushed });
    }
    return profiles;
  }, [wanted, seed, query.data, updates, revision]);
}
