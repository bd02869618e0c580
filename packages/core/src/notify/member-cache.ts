import type { Db } from "@parley/db";
import { getMembershipSnapshot } from "@parley/db/queries";

const MEMBER_CACHE_LIMIT = 10_000;
type CachedMembers = { version: number; userIds: string[] };

/** Member lists by dialog, each with the members_version it was read at; oldest dropped first. */
export type MemberCache = Map<string, CachedMembers>;

export function createMemberCache(): MemberCache {
  return new Map();
}

/**
 * Member lists per dialog, cached by `members_version`: Confirm reads the version under the dialog
 * lock, so a cached list is used only when it is exactly the membership the message committed
 * under (a removed member stops receiving at once; a new one is included at once).
 */
export async function getMemberUserIds(
  { db, memberCache: cache }: { db: Db; memberCache: MemberCache },
  dialogId: string,
  membersVersion: number,
): Promise<string[]> {
  const cached = cache.get(dialogId);
  if (cached && cached.version === membersVersion) return cached.userIds;
  // Loaded with its own version: if membership changed since Confirm, the newer list is the right one.
  const snapshot = await getMembershipSnapshot(db, dialogId);
  if (cache.size >= MEMBER_CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.delete(dialogId);
  cache.set(dialogId, snapshot);
  return snapshot.userIds;
}
