import { getUserProfiles, listContactIds, type UserProfileRow } from "@parley/db/queries";
import type { Actor } from "../actor";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceLookupRateLimit, enforceProfileRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";
import { avatarUrlOf } from "./avatar-url";

/** A public profile as clients show it: name, handle, avatar and the version of the last change. */
export type PublicProfile = {
  id: string;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  version: number;
};

/**
 * Public profiles by id (user.byIds). Answered freely for the people a client shows names of: those
 * the caller shares a dialog with (senders, members, direct peers) and the caller itself. Anyone else
 * — a former member, or an id guessed by walking snowflakes — costs one hit each on the handle-lookup
 * budget, misses included, so ids cannot be scanned faster than handles. Budgets are taken before
 * anything is read; then one IN on the users' shard key reads them all.
 */
export async function listProfiles(
  deps: LimitDeps & Pick<CoreServices, "db">,
  actor: Actor,
  ids: readonly string[],
): Promise<PublicProfile[]> {
  await enforceProfileRateLimit(deps, actor.clientId);
  const wanted = [...new Set(ids)];
  const others = wanted.filter((id) => id !== actor.userId);
  const contacts = await listContactIds(deps.db, actor.userId, others, deps.options.inboxScanLimit);
  const strangers = others.filter((id) => !contacts.has(id)).length;
  if (strangers > 0) await enforceLookupRateLimit(deps, actor, strangers);
  return (await getUserProfiles(deps.db, wanted)).map(toPublicProfile);
}

/** A users row as clients see it: the avatar as a URL, the version of the last change. */
export function toPublicProfile(row: UserProfileRow): PublicProfile {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.displayName,
    avatarUrl: avatarUrlOf(row.id, row.avatarKey),
    version: row.profileVersion,
  };
}
