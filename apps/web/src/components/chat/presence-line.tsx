"use client";

import { formatRelative } from "~/lib/format-time";
import type { PresenceState } from "~/sync/presence-tracker";

/** "online", "last seen 5 min ago", or nothing while unknown. */
export function presenceWords(state: PresenceState | null): string | null {
  if (!state) return null;
  if (state.online) return "online";
  return state.lastSeenAt === null ? null : `last seen ${formatRelative(state.lastSeenAt)}`;
}

export function PresenceLine({ state }: { state: PresenceState | null }) {
  const words = presenceWords(state);
  if (!words) return null;
  return (
    <span className={`muted presence-line${state?.online ? " online" : ""}`} data-testid="presence">
      {words}
    </span>
  );
}
