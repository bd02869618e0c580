import { reindexUserForSearch } from "@parley/auth";
import { getUserProfiles, listProfileAudience, updateUserProfile } from "@parley/db/queries";
import type { TProfileEvent } from "@parley/protocol";
import type { Actor } from "../actor";
import { AppError } from "../errors";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceProfileEditRateLimit } from "../limits/rate-limit";
import { publishToUsers } from "../notify/publish";
import type { CoreServices } from "../services";
import { requireAvatarUpload } from "./avatar-url";
import { type PublicProfile, toPublicProfile } from "./profiles";

/** At most this many people hear a profile change live (the rest read it at their next fetch). */
export const PROFILE_AUDIENCE_LIMIT = 5_000;

/**
 * Changes the caller's display name (validated by the router: ZDisplayName) and/or avatar (an
 * attachment id of the caller's own finished `user_avatar` upload, or null to remove it) and tells
 * the user's other clients and the people they share a dialog with. Budgeted per user before
 * anything is written: each change is a fan-out to up to PROFILE_AUDIENCE_LIMIT users.
 * The version bumped in the same UPDATE orders changes for clients (profile-versions in the engine).
 */
export async function updateOwnProfile(
  deps: LimitDeps & Pick<CoreServices, "db" | "events">,
  actor: Actor,
  change: { displayName?: string; avatarKey?: string | null },
): Promise<PublicProfile> {
  if (change.displayName === undefined && change.avatarKey === undefined) {
    throw new AppError("BAD_REQUEST", "nothing to change");
  }
  await enforceProfileEditRateLimit(deps, actor.userId);
  if (change.avatarKey) {
    await requireAvatarUpload(deps.db, "user_avatar", actor.userId, change.avatarKey, actor.userId);
  }
  // The old name names the people-search rows to drop (they are sharded by the name's prefixes).
  const [before] = change.displayName === undefined ? [] : await getUserProfiles(deps.db, [actor.userId]);
  const row = await updateUserProfile(deps.db, actor.userId, change);
  if (!row) throw new AppError("NOT_FOUND", "user not found");
  if (before && before.displayName !== row.displayName) {
    await reindexUserForSearch(deps.db, row, { before: before.displayName, after: row.displayName });
  }
  const profile = toPublicProfile(row);
  const audience = await listProfileAudience(
    deps.db,
    actor.userId,
    deps.options.inboxScanLimit,
    PROFILE_AUDIENCE_LIMIT,
  );
  const event: TProfileEvent = {
    type: "profile",
    userId: profile.id,
    displayName: profile.displayName,
    avatarUrl: profile.avatarUrl,
    version: profile.version,
  };
  // Best effort, like membership events: a lost push is healed by the next profile fetch (clients
  // refetch names on reconnect), and the change itself is already committed.
  publishToUsers(deps.events, [actor.userId, ...audience], event);
  return profile;
}
