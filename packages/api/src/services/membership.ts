import { type DbOrTx, schema } from "@parley/db";
import {
  deleteMember,
  deleteUserDialog,
  getMember,
  insertUserDialogIfAbsent,
  listExistingUserIds,
  listMembers,
  listMemberUserIds,
  lockDialog,
  updateDialogMembership,
} from "@parley/db/queries";
import { and, eq } from "drizzle-orm";
import type { ApiServices } from "../context";
import { AppError } from "../errors";
import { dialogNotFound, requireMember } from "./access";
import type { Actor } from "./actor";
import { addMembersUnderLock, inDialogTransaction } from "./dialog-create";
import { publishDialogEvent } from "./dialog-view";
import { MAX_GROUP_MEMBERS } from "./limits";

const canManage = (role: string) => role === "owner" || role === "admin";

/** Admins and the owner add members to a group; new members see messages sent after they joined. */
export async function addGroupMembers(
  services: ApiServices,
  actor: Actor,
  input: { dialogId: string; userIds: string[] },
): Promise<{ added: number }> {
  const me = await requireMember(services.db, input.dialogId, actor.userId);
  if (!canManage(me.role)) throw new AppError("FORBIDDEN", "only admins add members");
  const userIds = [...new Set(input.userIds)];
  const existing = new Set(await listExistingUserIds(services.db, userIds));
  const missing = userIds.filter((userId) => !existing.has(userId));
  if (missing.length > 0) throw new AppError("NOT_FOUND", "user not found", { userIds: missing });
  const { count, lastSeq } = await addMembersUnderLock(
    services,
    input.dialogId,
    "group",
    userIds.map((userId) => ({ userId, role: "member" as const })),
    undefined,
    // Re-checked under the dialog lock: a manager removed or demoted meanwhile adds nobody.
    async (tx) => {
      const current = await getMember(tx, input.dialogId, actor.userId);
      if (!current) throw dialogNotFound();
      if (!canManage(current.role)) throw new AppError("FORBIDDEN", "only admins add members");
    },
  ).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "CONFLICT") {
      throw new AppError("BAD_REQUEST", "direct dialogs have fixed members");
    }
    throw error;
  });
  const joinedAt = new Date();
  for (const userId of userIds) {
    await insertUserDialogIfAbsent(services.db, {
      userId,
      dialogId: input.dialogId,
      kind: "group",
      peerUserId: null,
      joinedAt,
    });
  }
  if (count > 0) {
    const all = await listMemberUserIds(services.db, input.dialogId);
    const fresh = new Set(userIds);
    publishDialogEvent(services.events, userIds, input.dialogId, "joined", lastSeq);
    publishDialogEvent(
      services.events,
      all.filter((userId) => !fresh.has(userId)),
      input.dialogId,
      "updated",
      lastSeq,
    );
  }
  return { added: count };
}

/** Owner removes anyone but itself; admins remove plain members. */
export async function removeGroupMember(
  services: ApiServices,
  actor: Actor,
  input: { dialogId: string; userId: string },
): Promise<{ removed: boolean }> {
  if (input.userId === actor.userId) throw new AppError("BAD_REQUEST", "use dialog.leave to leave");
  return removeFromGroup(services, actor, input.dialogId, input.userId);
}

export async function leaveGroup(
  services: ApiServices,
  actor: Actor,
  dialogId: string,
): Promise<{ removed: boolean }> {
  return removeFromGroup(services, actor, dialogId, actor.userId);
}

/**
 * Under the dialog lock, like Confirm: once this commits no later message commits for the removed
 * member, and sync/history refuse them (membership is checked on every read).
 */
async function removeFromGroup(
  services: ApiServices,
  actor: Actor,
  dialogId: string,
  targetUserId: string,
): Promise<{ removed: boolean }> {
  // Outside the lock first: a non-member never queues on (or holds) a dialog's row lock.
  await requireMember(services.db, dialogId, actor.userId);
  const { removed, lastSeq } = await inDialogTransaction(services, async (tx) => {
    const dialog = await lockDialog(tx, dialogId);
    const me = await getMember(tx, dialogId, actor.userId);
    if (!dialog || !me) throw dialogNotFound();
    if (dialog.kind !== "group") throw new AppError("BAD_REQUEST", "direct dialogs have fixed members");
    const target = await getMember(tx, dialogId, targetUserId);
    if (!target) throw new AppError("NOT_FOUND", "not a member");
    if (targetUserId !== actor.userId) {
      const allowed = me.role === "owner" || (me.role === "admin" && target.role === "member");
      if (!allowed) throw new AppError("FORBIDDEN", "not allowed to remove this member");
    }
    const deleted = await deleteMember(tx, dialogId, targetUserId);
    if (deleted) await updateDialogMembership(tx, dialogId, -1);
    if (deleted && target.role === "owner") await handOverOwnership(tx, dialogId);
    return { removed: deleted, lastSeq: dialog.lastSeq };
  });
  await deleteUserDialog(services.db, targetUserId, dialogId);
  if (removed) {
    publishDialogEvent(services.events, [targetUserId], dialogId, "left", lastSeq);
    const rest = await listMemberUserIds(services.db, dialogId);
    publishDialogEvent(services.events, rest, dialogId, "updated", lastSeq);
  }
  return { removed };
}

const ROLE_RANK = { owner: 0, admin: 1, member: 2 } as const;

/**
 * A group never stays without an owner: when the owner leaves, the longest-standing admin (else the
 * longest-standing member) becomes the owner, under the same dialog lock. Without this, nobody could
 * ever remove an admin again (admins remove plain members only).
 */
async function handOverOwnership(tx: DbOrTx, dialogId: string): Promise<void> {
  const members = await listMembers(tx, dialogId, MAX_GROUP_MEMBERS);
  if (members.some((member) => member.role === "owner")) return;
  const [heir] = members.sort(
    (a, b) =>
      ROLE_RANK[a.role] - ROLE_RANK[b.role] ||
      a.joinedAt.getTime() - b.joinedAt.getTime() ||
      (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1),
  );
  if (!heir) return;
  await tx
    .update(schema.dialogMembers)
    .set({ role: "owner" })
    .where(and(eq(schema.dialogMembers.dialogId, dialogId), eq(schema.dialogMembers.userId, heir.userId)));
}
