import { and, desc, eq, inArray, max, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { userClients } from "../schema/auth";
import { dialogMembers, dialogs, userDialogs } from "../schema/dialog";
import { users } from "../schema/user";
import { affectedRowsOf } from "./result";

export type UserProfileRow = {
  id: string;
  handle: string;
  displayName: string;
  avatarKey: string | null;
  profileVersion: number;
};

const profileColumns = {
  id: users.id,
  handle: users.handle,
  displayName: users.displayName,
  avatarKey: users.avatarKey,
  profileVersion: users.profileVersion,
};

/** Profiles with their avatar and version: one IN on the users' shard key. Unknown ids are left out. */
export async function getUserProfiles(db: DbOrTx, userIds: readonly string[]): Promise<UserProfileRow[]> {
  if (userIds.length === 0) return [];
  return db
    .select(profileColumns)
    .from(users)
    .where(inArray(users.id, [...userIds]));
}

/**
 * Changes a user's name and/or avatar and bumps the profile version in the same statement, so the
 * version read back names exactly this change or a later one. Null when the user does not exist.
 */
export async function updateUserProfile(
  db: DbOrTx,
  userId: string,
  change: { displayName?: string; avatarKey?: string | null },
): Promise<UserProfileRow | null> {
  const result = await db
    .update(users)
    .set({ ...change, profileVersion: sql`${users.profileVersion} + 1` })
    .where(eq(users.id, userId));
  if (affectedRowsOf(result) === 0) return null;
  const [row] = await getUserProfiles(db, [userId]);
  return row ?? null;
}

/**
 * A group's title and/or avatar with a version bump. Run under the dialog lock (the caller's role
 * was checked with it held), so two renames get distinct, ordered versions.
 */
export async function updateGroupProfile(
  tx: DbOrTx,
  dialogId: string,
  change: { title?: string; avatarKey?: string | null },
): Promise<void> {
  await tx
    .update(dialogs)
    .set({ ...change, profileVersion: sql`${dialogs.profileVersion} + 1` })
    .where(eq(dialogs.id, dialogId));
}

/**
 * The member's mute switch. Writes nothing for a non-member; callers check membership first (an
 * UPDATE that changes nothing reports 0 rows on MariaDB, so the count cannot tell the two apart).
 */
export async function setMemberMuted(
  db: DbOrTx,
  dialogId: string,
  userId: string,
  muted: boolean,
): Promise<void> {
  await db
    .update(dialogMembers)
    .set({ muted })
    .where(and(eq(dialogMembers.dialogId, dialogId), eq(dialogMembers.userId, userId)));
}

/**
 * When each user was last seen: the newest `last_seen_at` over their clients (the worker's presence
 * recorder moves it when a socket closes; sign-ins and refreshes move it too). One IN on the
 * user_clients shard key; users without clients are left out.
 */
export async function getLastSeen(db: DbOrTx, userIds: readonly string[]): Promise<Map<string, Date>> {
  const seen = new Map<string, Date>();
  if (userIds.length === 0) return seen;
  const rows = await db
    .select({ userId: userClients.userId, at: max(userClients.lastSeenAt) })
    .from(userClients)
    .where(inArray(userClients.userId, [...userIds]))
    .groupBy(userClients.userId);
  for (const row of rows) if (row.at) seen.set(row.userId, new Date(row.at));
  return seen;
}

/**
 * Who hears about a user's new name live: the peers of their direct dialogs and the members of their
 * groups, over their newest `dialogLimit` dialogs, at most `limit` distinct users. Two steps routed by
 * shard keys (the user's inbox rows, then an IN on dialog_members' dialog_id). Anyone past the limit
 * reads the new name at their next profile fetch.
 */
export async function listProfileAudience(
  db: DbOrTx,
  userId: string,
  dialogLimit: number,
  limit: number,
): Promise<string[]> {
  const inbox = await db
    .select({ dialogId: userDialogs.dialogId, peerUserId: userDialogs.peerUserId })
    .from(userDialogs)
    .where(eq(userDialogs.userId, userId))
    .orderBy(desc(userDialogs.joinedAt))
    .limit(dialogLimit);
  const audience = new Set<string>();
  const groupIds: string[] = [];
  for (const row of inbox) {
    if (row.peerUserId === null) groupIds.push(row.dialogId);
    else if (audience.size < limit) audience.add(row.peerUserId);
  }
  if (groupIds.length > 0 && audience.size < limit) {
    const members = await db
      .selectDistinct({ userId: dialogMembers.userId })
      .from(dialogMembers)
      .where(inArray(dialogMembers.dialogId, groupIds))
      .limit(limit);
    for (const member of members) if (audience.size < limit) audience.add(member.userId);
  }
  audience.delete(userId);
  return [...audience];
}
