import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { dialogMembers, dialogs, userDialogs } from "../schema/dialog";
import { users } from "../schema/user";
import { affectedRowsOf, rowsOf, toNumber } from "./result";

export type DialogKind = "direct" | "group";
export type MemberRole = "owner" | "admin" | "member";
export type DialogRow = typeof dialogs.$inferSelect;
export type MemberRow = typeof dialogMembers.$inferSelect;

/** Inserts the dialog unless it exists (direct dialogs: both users may open it at once). */
export async function insertDialogIfAbsent(
  db: DbOrTx,
  row: { id: string; kind: DialogKind; title: string | null; createdBy: string; createdAt: Date },
): Promise<void> {
  await db
    .insert(dialogs)
    .values({ ...row, lastSeq: 0, membersVersion: 1, memberCount: 0 })
    .onDuplicateKeyUpdate({ set: { kind: sql`kind` } });
}

export async function getDialog(db: DbOrTx, dialogId: string): Promise<DialogRow | null> {
  const rows = await db.select().from(dialogs).where(eq(dialogs.id, dialogId)).limit(1);
  return rows[0] ?? null;
}

/** The dialog row lock: every change of membership or timeline serialises on it. */
export async function lockDialog(db: DbOrTx, dialogId: string): Promise<DialogRow | null> {
  const rows = await db.select().from(dialogs).where(eq(dialogs.id, dialogId)).for("update");
  return rows[0] ?? null;
}

export async function getDialogsByIds(db: DbOrTx, dialogIds: string[]): Promise<DialogRow[]> {
  if (dialogIds.length === 0) return [];
  return db.select().from(dialogs).where(inArray(dialogs.id, dialogIds));
}

/** Last seq of many dialogs: one IN on the shard key (Vitess routes it to the owning shards). */
export async function getDialogLastSeqs(
  db: DbOrTx,
  dialogIds: string[],
): Promise<{ dialogId: string; lastSeq: number; profileVersion: number }[]> {
  if (dialogIds.length === 0) return [];
  return db
    .select({ dialogId: dialogs.id, lastSeq: dialogs.lastSeq, profileVersion: dialogs.profileVersion })
    .from(dialogs)
    .where(inArray(dialogs.id, dialogIds));
}

/** Membership changed: bump the version (publishers cache member lists by it) and the count. */
export async function updateDialogMembership(
  db: DbOrTx,
  dialogId: string,
  memberCountDelta: number,
): Promise<void> {
  await db
    .update(dialogs)
    .set({
      membersVersion: sql`${dialogs.membersVersion} + 1`,
      memberCount: sql`${dialogs.memberCount} + ${memberCountDelta}`,
    })
    .where(eq(dialogs.id, dialogId));
}

export async function getMember(db: DbOrTx, dialogId: string, userId: string): Promise<MemberRow | null> {
  const rows = await db
    .select()
    .from(dialogMembers)
    .where(and(eq(dialogMembers.dialogId, dialogId), eq(dialogMembers.userId, userId)))
    .limit(1);
  return rows[0] ?? null;
}

export async function listMembers(db: DbOrTx, dialogId: string, limit: number): Promise<MemberRow[]> {
  return db
    .select()
    .from(dialogMembers)
    .where(eq(dialogMembers.dialogId, dialogId))
    .orderBy(dialogMembers.userId)
    .limit(limit);
}

export async function listMemberUserIds(db: DbOrTx, dialogId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: dialogMembers.userId })
    .from(dialogMembers)
    .where(eq(dialogMembers.dialogId, dialogId));
  return rows.map((row) => row.userId);
}

/** My member rows for many dialogs (shard key IN, plus my user id). */
export async function getMembersOfUser(
  db: DbOrTx,
  dialogIds: string[],
  userId: string,
): Promise<MemberRow[]> {
  if (dialogIds.length === 0) return [];
  return db
    .select()
    .from(dialogMembers)
    .where(and(inArray(dialogMembers.dialogId, dialogIds), eq(dialogMembers.userId, userId)));
}

/**
 * Inserts the members that are not members yet and returns how many were new. Runs under the dialog
 * lock, so reading the existing ones first is exact (no upsert: FOUND_ROWS hides no-op upserts).
 */
export async function insertMembersIfAbsent(
  db: DbOrTx,
  rows: { dialogId: string; userId: string; role: MemberRole; joinedSeq: number; joinedAt: Date }[],
): Promise<number> {
  const first = rows[0];
  if (!first) return 0;
  const present = await db
    .select({ userId: dialogMembers.userId })
    .from(dialogMembers)
    .where(
      and(
        eq(dialogMembers.dialogId, first.dialogId),
        inArray(
          dialogMembers.userId,
          rows.map((row) => row.userId),
        ),
      ),
    );
  const presentIds = new Set(present.map((row) => row.userId));
  const fresh = rows
    .filter((row) => !presentIds.has(row.userId))
    .map((row) => ({ ...row, deliveredSeq: row.joinedSeq, readSeq: row.joinedSeq }));
  if (fresh.length === 0) return 0;
  await db.insert(dialogMembers).values(fresh);
  return fresh.length;
}

export async function deleteMember(db: DbOrTx, dialogId: string, userId: string): Promise<boolean> {
  const result = await db
    .delete(dialogMembers)
    .where(and(eq(dialogMembers.dialogId, dialogId), eq(dialogMembers.userId, userId)));
  return affectedRowsOf(result) === 1;
}

/**
 * Watermarks only move forward (GREATEST), whichever client reports and in whatever order; read
 * implies delivered. `seq` is already clamped to the dialog's last_seq by the caller.
 */
export async function advanceMemberWatermarks(
  db: DbOrTx,
  dialogId: string,
  userId: string,
  marks: { deliveredSeq: number; readSeq: number },
): Promise<void> {
  await db.execute(sql`
    UPDATE dialog_members
       SET read_seq = GREATEST(read_seq, ${marks.readSeq}),
           delivered_seq = GREATEST(delivered_seq, ${marks.deliveredSeq}, ${marks.readSeq})
     WHERE dialog_id = ${dialogId} AND user_id = ${userId}`);
}

/**
 * The inbox index on the user shard. Idempotent so a repaired half-done change can rerun; `big` only
 * ever goes from false to true (a big group stays big), so a rerun never unmarks a row.
 */
export async function insertUserDialogIfAbsent(
  db: DbOrTx,
  row: {
    userId: string;
    dialogId: string;
    kind: DialogKind;
    peerUserId: string | null;
    joinedAt: Date;
    big?: boolean;
  },
): Promise<void> {
  await db
    .insert(userDialogs)
    .values({ ...row, big: row.big ?? false })
    .onDuplicateKeyUpdate({ set: { big: sql`GREATEST(big, VALUES(big))` } });
}

const MARK_BIG_BATCH = 500;

/**
 * Marks a big group in its members' inbox rows (user shards: an IN on the shard key, plus the
 * dialog). Idempotent: rows already marked, or gone (member removed meanwhile), are untouched.
 */
export async function markUserDialogsBig(
  db: DbOrTx,
  dialogId: string,
  userIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < userIds.length; start += MARK_BIG_BATCH) {
    const batch = userIds.slice(start, start + MARK_BIG_BATCH);
    await db
      .update(userDialogs)
      .set({ big: true })
      .where(
        and(
          inArray(userDialogs.userId, batch),
          eq(userDialogs.dialogId, dialogId),
          eq(userDialogs.big, false),
        ),
      );
  }
}

/**
 * The big groups a user is in, newest dialog first (snowflake ids grow with creation time): one
 * range read of user_dialogs_big_idx on the user's shard, for the realtime token's `dlg` claim.
 */
export async function listBigDialogIds(db: DbOrTx, userId: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ dialogId: userDialogs.dialogId })
    .from(userDialogs)
    .where(and(eq(userDialogs.userId, userId), eq(userDialogs.big, true)))
    .orderBy(desc(userDialogs.dialogId))
    .limit(limit);
  return rows.map((row) => row.dialogId);
}

/**
 * The group is a big group from `since` on: set once, never cleared. Only after every member's inbox
 * row is marked big (their tokens list the dialog), so a crash in between leaves per-member publishes,
 * never a dialog subject nobody is subscribed to. True when this call set it.
 */
export async function markDialogFanout(db: DbOrTx, dialogId: string, since: Date): Promise<boolean> {
  const result = await db
    .update(dialogs)
    .set({ fanoutSince: since })
    .where(and(eq(dialogs.id, dialogId), isNull(dialogs.fanoutSince)));
  return affectedRowsOf(result) === 1;
}

export async function deleteUserDialog(db: DbOrTx, userId: string, dialogId: string): Promise<void> {
  await db.delete(userDialogs).where(and(eq(userDialogs.userId, userId), eq(userDialogs.dialogId, dialogId)));
}

export type UserDialogEntry = { dialogId: string; kind: DialogKind; peerUserId: string | null };

const userDialogColumns = {
  dialogId: userDialogs.dialogId,
  kind: userDialogs.kind,
  peerUserId: userDialogs.peerUserId,
};

/**
 * One page of a user's dialogs in dialog id order, after `afterDialogId` (null: from the start): a
 * range read of the user_dialogs primary key on the user's shard. Paging by id reaches every dialog,
 * however many the user is in.
 */
export async function listUserDialogsAfter(
  db: DbOrTx,
  userId: string,
  page: { afterDialogId: string | null; limit: number },
): Promise<UserDialogEntry[]> {
  const mine = eq(userDialogs.userId, userId);
  return db
    .select(userDialogColumns)
    .from(userDialogs)
    .where(page.afterDialogId === null ? mine : and(mine, gt(userDialogs.dialogId, page.afterDialogId)))
    .orderBy(userDialogs.dialogId)
    .limit(page.limit);
}

/**
 * The dialogs a user joined most recently, newest first, so a cap drops the oldest, never a new
 * conversation. By joined_at, not by id: direct dialog ids hash the pair (no time order), and a group
 * one was just added to is new to them however old it is. One shard (the user's); without an index on
 * (user_id, joined_at) it sorts the user's own rows, a cost that grows with their dialog count only.
 */
export async function listNewestUserDialogs(
  db: DbOrTx,
  userId: string,
  limit: number,
): Promise<UserDialogEntry[]> {
  return db
    .select(userDialogColumns)
    .from(userDialogs)
    .where(eq(userDialogs.userId, userId))
    .orderBy(desc(userDialogs.joinedAt), desc(userDialogs.dialogId))
    .limit(limit);
}

/** Reads the dialog's last_seq without a lock (last_seq only grows, so a stale value is safe to clamp to). */
export async function getLastSeq(db: DbOrTx, dialogId: string): Promise<number | null> {
  const rows = rowsOf<{ last_seq: unknown }>(
    await db.execute(sql`SELECT last_seq FROM dialogs WHERE id = ${dialogId}`),
  );
  const row = rows[0];
  return row ? toNumber(row.last_seq) : null;
}

/** Which of these user ids exist (users is sharded by id: an IN on the key). */
export async function listExistingUserIds(db: DbOrTx, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db.select({ id: users.id }).from(users).where(inArray(users.id, userIds));
  return rows.map((row) => row.id);
}

/** Member ids and the membership version in one statement, so a cache keyed by version is exact. */
export async function getMembershipSnapshot(
  db: DbOrTx,
  dialogId: string,
): Promise<{ version: number; userIds: string[] }> {
  const rows = rowsOf<{ members_version: unknown; user_id: unknown }>(
    await db.execute(sql`
      SELECT d.members_version, m.user_id
        FROM dialogs d LEFT JOIN dialog_members m ON m.dialog_id = d.id AND m.dialog_id = ${dialogId}
       WHERE d.id = ${dialogId}`),
  );
  const first = rows[0];
  return {
    version: first ? toNumber(first.members_version) : 0,
    userIds: rows.flatMap((row) => (row.user_id == null ? [] : [String(row.user_id)])),
  };
}
