import { type DbOrTx, schema } from "@parley/db";
import {
  deleteMember,
  deleteUserDialog,
  getDialog,
  getMember,
  insertUserDialogIfAbsent,
  listMembers,
  listMemberUserIds,
  lockDialog,
  markUserDialogsBig,
  updateDialogMembership,
} from "@parley/db/queries";
import { isParleyError } from "@parley/protocol";
import { and, eq } from "drizzle-orm";
import type { Actor } from "../actor";
import { AppError } from "../errors";
import { MAX_GROUP_MEMBERS } from "../limits/limits";
import { enforceMemberAddRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";
import { canManageGroup as canManage, dialogNotFound, requireMember } from "./access";
import {
  addMembersUnderLock,
  type DialogWriteDeps,
  inDialogTransaction,
  requireExistingUsers,
  switchToBig,
} from "./dialog-create";
import { publishDialogEvent } from "./dialog-view";

/** Admins and the owner add members to a group; new members see messages sent after they joined. */
export async function addGroupMembers(
  deps: DialogWriteDeps,
  actor: Actor,
  input: { dialogId: string; userIds: string[] },
): Promise<{ added: number }> {
  const me = await requireMember(deps.db, input.dialogId, actor.userId);
  if (!canManage(me.role)) throw new AppError("FORBIDDEN", "only admins add members");
  const userIds = [...new Set(input.userIds)];
  // After the role check (a member cannot spend it), before the existence check (a probe counts).
  await enforceMemberAddRateLimit(deps, actor.userId, userIds.length);
  await requireExistingUsers(deps, userIds);
  const { count, lastSeq, big, reachesBig } = await addMembersUnderLock(
    deps,
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
    if (isParleyError(error) && error.code === "CONFLICT") {
      throw new AppError("BAD_REQUEST", "direct dialogs have fixed members");
    }
    throw error;
  });
  const joinedAt = new Date(deps.clock.now());
  for (const userId of userIds) {
    await insertUserDialogIfAbsent(deps.db, {
      userId,
      dialogId: input.dialogId,
      kind: "group",
      peerUserId: null,
      joinedAt,
      big: big || reachesBig,
    });
  }
  // A concurrent add may have switched the group meanwhile: re-read (cheap: one row by key).
  const bigBefore = big || (await isBigDialog(deps, input.dialogId));
  if (count === 0 && !bigBefore && !reachesBig) return { added: 0 };
  const all = await listMemberUserIds(deps.db, input.dialogId);
  // Every add to a big group (re)marks all members' inbox rows before any event goes out (a client
  // refreshes its token on the event): idempotent, and it covers a concurrent add that wrote its rows
  // unmarked just before the switch. Reaching the threshold marks first and switches after
  // (switchToBig), so no message goes to the dialog subject before every member's token can list it.
  let switched = false;
  if (reachesBig && !bigBefore) switched = await switchToBig(deps, input.dialogId, all);
  else if (bigBefore) await markUserDialogsBig(deps.db, input.dialogId, all);
  const bigNow = bigBefore || reachesBig;
  // A no-op rerun repairs the marks but pushes nothing (tokens pick the marks up within a refresh).
  if (count === 0 && !switched) return { added: 0 };
  const fresh = new Set(userIds);
  publishDialogEvent(deps.events, userIds, input.dialogId, "joined", lastSeq, bigNow);
  // On the switch to big every member hears "updated" with big: true and refreshes its token.
  publishDialogEvent(
    deps.events,
    all.filter((userId) => !fresh.has(userId)),
    input.dialogId,
    "updated",
    lastSeq,
    bigNow,
  );
  return { added: count };
}

/** A fresh read after the inbox rows were written (see addGroupMembers). */
async function isBigDialog(deps: Pick<CoreServices, "db">, dialogId: string): Promise<boolean> {
  return (await getDialog(deps.db, dialogId))?.fanoutSince != null;
}

/** Owner removes anyone but itself; admins remove plain members. */
export async function removeGroupMember(
  deps: Pick<CoreServices, "db" | "events">,
  actor: Actor,
  input: { dialogId: string; userId: string },
): Promise<{ removed: boolean }> {
  if (input.userId === actor.userId) throw new AppError("BAD_REQUEST", "use dialog.leave to leave");
  return removeFromGroup(deps, actor, input.dialogId, input.userId);
}

export async function leaveGroup(
  deps: Pick<CoreServices, "db" | "events">,
  actor: Actor,
  dialogId: string,
): Promise<{ removed: boolean }> {
  return removeFromGroup(deps, actor, dialogId, actor.userId);
}

/**
 * Under the dialog lock, like Confirm: once this commits no later message commits for the removed
 * member, and sync/history refuse them (membership is checked on every read).
 */
async function removeFromGroup(
  deps: Pick<CoreServices, "db" | "events">,
  actor: Actor,
  dialogId: string,
  targetUserId: string,
): Promise<{ removed: boolean }> {
  // Outside the lock first: a non-member never queues on (or holds) a dialog's row lock.
  await requireMember(deps.db, dialogId, actor.userId);
  const { removed, lastSeq, big } = await inDialogTransaction(deps, async (tx) => {
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
    return { removed: deleted, lastSeq: dialog.lastSeq, big: dialog.fanoutSince !== null };
  });
  // Deleting the inbox row drops the dialog from the user's next realtime token (`dlg`).
  await deleteUserDialog(deps.db, targetUserId, dialogId);
  if (removed) {
    // In a big group the gateway drops the user's sockets from chat.dialog.<id> on this event; if it
    // is lost (NATS core), the next token refresh (≤ 60 s) ends the subscription.
    publishDialogEvent(deps.events, [targetUserId], dialogId, "left", lastSeq, big);
    const rest = await listMemberUserIds(deps.db, dialogId);
    publishDialogEvent(deps.events, rest, dialogId, "updated", lastSeq, big);
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
