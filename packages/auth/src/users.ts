import { schema } from "@parley/db";
import { eq, inArray } from "drizzle-orm";
import type { AuthDeps } from "./deps";
import { affectedRows } from "./deps";
import { normaliseHandle } from "./handle";
import { indexUserForSearch } from "./search-terms";

const { users, userHandles } = schema;

export type PublicUser = { id: string; handle: string; displayName: string };

/**
 * Claims the normalised handle first: user_handles is keyed (and sharded) by the normalised form, so
 * its primary key is the one place uniqueness holds across shards. Returns false when taken.
 */
export async function claimHandle(db: AuthDeps["db"], handle: string, userId: string): Promise<boolean> {
  const result = await db
    .insert(userHandles)
    .ignore()
    .values({ handleNorm: normaliseHandle(handle), userId, createdAt: new Date() });
  return affectedRows(result) === 1;
}

/**
 * Writes the users row for a claimed handle (its own shard: no cross-shard transaction), then the
 * people-search terms (their own shards; derived from the row, so a crash between the two leaves a
 * user that search misses until reindexed, never a search hit without a user).
 */
export async function insertUser(db: AuthDeps["db"], user: PublicUser): Promise<void> {
  await db.insert(users).values({ ...user, createdAt: new Date() });
  await indexUserForSearch(db, user);
}

export async function releaseHandle(db: AuthDeps["db"], handle: string): Promise<void> {
  await db.delete(userHandles).where(eq(userHandles.handleNorm, normaliseHandle(handle)));
}

export async function findUserIdByHandle(db: AuthDeps["db"], handle: string): Promise<string | null> {
  const rows = await db
    .select({ userId: userHandles.userId })
    .from(userHandles)
    .where(eq(userHandles.handleNorm, normaliseHandle(handle)))
    .limit(1);
  return rows[0]?.userId ?? null;
}

export async function getUser(db: AuthDeps["db"], userId: string): Promise<PublicUser | null> {
  const rows = await db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Many users in one statement: an IN on the shard key, which Vitess splits into one query per shard
 * that holds any of them. Unknown ids are left out.
 */
export async function getUsers(db: AuthDeps["db"], userIds: readonly string[]): Promise<PublicUser[]> {
  if (userIds.length === 0) return [];
  return db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName })
    .from(users)
    .where(inArray(users.id, [...userIds]));
}

export async function findUserByHandle(db: AuthDeps["db"], handle: string): Promise<PublicUser | null> {
  const userId = await findUserIdByHandle(db, handle);
  return userId ? getUser(db, userId) : null;
}
