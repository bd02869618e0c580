"use client";

import { createContext, type ReactNode, useContext, useState } from "react";
import type { Profile } from "./profile";

/**
 * Names the server already rendered with (inbox peers, a conversation's members and senders). The
 * client shows them at once instead of a placeholder while it asks again; one map per tab.
 */
const ProfileSeedContext = createContext<Map<string, Profile>>(new Map());

export function ProfileSeedProvider({ initial, children }: { initial?: Profile[]; children: ReactNode }) {
  const [seed] = useState(() => new Map((initial ?? []).map((profile) => [profile.id, profile])));
  return <ProfileSeedContext.Provider value={seed}>{children}</ProfileSeedContext.Provider>;
}

export function useProfileSeed(): Map<string, Profile> {
  return useContext(ProfileSeedContext);
}

/** Adds server-rendered names (idempotent; read by every later useProfiles in this tab). */
export function useSeedProfiles(profiles: Profile[] | undefined): void {
  const seed = useProfileSeed();
  for (const profile of profiles ?? []) if (!seed.has(profile.id)) seed.set(profile.id, profile);
}
