import type { DbOrTx } from "@parley/db";
import {
  getDialog,
  getMember,
  insertDialogIfAbsent,
  insertMembersIfAbsent,
  insertUserDialogIfAbsent,
  listExistingUserIds,
  lockDialog,
  type MemberRole,
  markDialogFanout,
  markUserDialogsBig,
  updateDialogMembership,
} from "@parley/db/queries";
import type { Actor } from "../actor";
import { isLockContention } from "../db-errors";
import { AppError } from "../errors";
import { MAX_GROUP_MEMBERS } from "../limits/limits";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceGroupCreateRateLimit, enforceMemberAddRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";
import { type DialogView, publishDialogEvent, toDialogView } from "./dialog-view";
import { directDialogId } from "./direct-dialog-id";

/** Creating dialogs and changing their members: the stores, ids, clock, publisher and the add budgets. */
export type DialogWriteDeps = LimitDeps & Pick<CoreServices, "db" | "events" | "ids" | "clock">;

/**
 * Opens (or finds) the direct dialog with another user. Idempotent: the id derives from the pair,
 * inserts ignore what exists, so both users opening it at once get the same dialog.
 */
export async function openDirectDialog(
  deps: DialogWriteDeps,
  actor: Actor,
  peerUserId: string,
): Promise<DialogView> {
  if (peerUserId === actor.userId)
    throw new AppError("BAD_REQUEST", "cannot open a direct dialog with yourself");
  // Before the existence check: every answer says whether an id exists.
  await enforceMemberAddRateLimit(deps, actor.userId, 1);
  const [peer] = await listExistingUserIds(deps.db, [peerUserId]);
  if (!peer) throw new AppError("NOT_FOUND", "user not found");
  const dialogId = directDialogId(actor.userId, peerUserId);
  const now = new Date(deps.clock.now());
  await insertDialogIfAbsent(deps.db, {
    id: dialogId,
    kind: "direct",
    title: null,
    createdBy: actor.userId,
    createdAt: now,
  });
  const added = await addMembersUnderLock(
    deps,
    dialogId,
    "direct",
    [
      { userId: actor.userId, role: "member" },
      { userId: peerUserId, role: "member" },
    ],
    2,
  );
  // The inbox rows live on each user's shard: written after the dialog shard, idempotently.
  for (const [userId, peer] of [
    [actor.userId, peerUserId],
    [peerUserId, actor.userId],
  ] as const) {
    await insertUserDialogIfAbsent(deps.db, {
      userId,
      dialogId,
      kind: "direct",
      peerUserId: peer,
      joinedAt: now,
    });
  }
  if (added.count > 0) publishDialogEvent(deps.events, [actor.userId, peerUserId], dialogId, "joined", 0);
  return loadView(deps, dialogId, actor.userId, peerUserId);
}

export async function createGroupDialog(
  deps: DialogWriteDeps,
  actor: Actor,
  input: { title: string; memberIds: string[] },
): Promise<DialogView> {
  const others = [...new Set(input.memberIds)].filter((userId) => userId !== actor.userId);
  if (others.length + 1 > MAX_GROUP_MEMBERS) {
    throw new AppError("BAD_REQUEST", `a group holds at most ${MAX_GROUP_MEMBERS} members`);
  }
  // Budgets first, so a refused or failing attempt still counts (it is a probe of which ids exist).
  await enforceGroupCreateRateLimit(deps, actor.userId);
  await enforceMemberAddRateLimit(deps, actor.userId, others.length);
  await requireExistingUsers(deps, others);
  const dialogId = deps.ids.nextId();
  const now = new Date(deps.clock.now());
  await insertDialogIfAbsent(deps.db, {
    id: dialogId,
    kind: "group",
    title: input.title,
    createdBy: actor.userId,
    createdAt: now,
  });
  const added = await addMembersUnderLock(deps, dialogId, "group", [
    { userId: actor.userId, role: "owner" },
    ...others.map((userId) => ({ userId, role: "member" as const })),
  ]);
  // A group created at the big-group threshold is big from the start: rows marked, then switched.
  const members = [actor.userId, ...others];
  for (const userId of members) {
    await insertUserDialogIfAbsent(deps.db, {
      userId,
      dialogId,
      kind: "group",
      peerUserId: null,
      joinedAt: now,
      big: added.big || added.reachesBig,
    });
  }
  if (added.reachesBig) await switchToBig(deps, dialogId, members);
  publishDialogEvent(deps.events, members, dialogId, "joined", 0, added.big || added.reachesBig);
  return loadView(deps, dialogId, actor.userId, null);
}

/**
 * NOT_FOUND when any of these users does not exist, without saying which: a list of the missing
 * would tell a caller which of up to a thousand guessed ids are real users in one request.
 */
export async function requireExistingUsers(deps: Pick<CoreServices, "db">, userIds: string[]): Promise<void> {
  const existing = await listExistingUserIds(deps.db, userIds);
  if (existing.length < userIds.length) throw new AppError("NOT_FOUND", "one or more users were not found");
}

/**
 * Membership changes serialise with Confirm on the dialog row lock and bump members_version, so a
 * message is pushed exactly to the members it committed under. New members join at the current
 * last_seq (they see what is sent after they joined). `authorize` runs under the lock, so a role
 * checked there cannot change before the insert commits. `big`: the group is a big group;
 * `reachesBig`: it has reached the threshold but is not big yet — the caller marks every member's
 * inbox row, then switches it (switchToBig), after this transaction.
 */
export async function addMembersUnderLock(
  deps: Pick<CoreServices, "db" | "options" | "clock">,
  dialogId: string,
  kind: "direct" | "group",
  members: { userId: string; role: MemberRole }[],
  maxMembers = MAX_GROUP_MEMBERS,
  authorize?: (tx: DbOrTx) => Promise<void>,
): Promise<{ count: number; lastSeq: number; big: boolean; reachesBig: boolean }> {
  const { bigGroupMinMembers } = deps.options;
  return inDialogTransaction(deps, async (tx) => {
    const dialog = await lockDialog(tx, dialogId);
    if (!dialog || dialog.kind !== kind)
      throw new AppError("CONFLICT", "dialog id is taken by another dialog");
    if (authorize) await authorize(tx);
    const joinedAt = new Date(deps.clock.now());
    const count = await insertMembersIfAbsent(
      tx,
      members.map((member) => ({ dialogId, ...member, joinedSeq: dialog.lastSeq, joinedAt })),
    );
    // Checked after the insert (throwing rolls it back): only new members count. For a direct
    // dialog this also refuses a third user, should two pairs ever hash to one id.
    if (dialog.memberCount + count > maxMembers) {
      throw new AppError(kind === "direct" ? "CONFLICT" : "BAD_REQUEST", `at most ${maxMembers} members`);
    }
    if (count > 0) await updateDialogMembership(tx, dialogId, count);
    // Reaching the threshold makes a group big for good (docs/design.md "Big groups"). Checked on
    // every add, so a group that is already that large (threshold lowered, or a switch a crash cut
    // short) switches on its next add, a no-op retry included.
    const reachesBig =
      dialog.fanoutSince === null && kind === "group" && dialog.memberCount + count >= bigGroupMinMembers;
    return { count, lastSeq: dialog.lastSeq, big: dialog.fanoutSince !== null, reachesBig };
  });
}

/**
 * The second half of turning a group big, after the membership commit: every member's inbox row is
 * marked (their next tokens list the dialog), and only then `fanout_since` is set. A crash in between
 * leaves a group that still publishes per member until its next add completes the switch. True when
 * this call made the switch.
 */
export async function switchToBig(
  deps: Pick<CoreServices, "db" | "clock">,
  dialogId: string,
  members: string[],
): Promise<boolean> {
  await markUserDialogsBig(deps.db, dialogId, members);
  return markDialogFanout(deps.db, dialogId, new Date(deps.clock.now()));
}

/**
 * A transaction that takes a dialog row lock. A lock wait timeout or deadlock (a hot dialog) is a
 * retryable TOO_MANY_REQUESTS, never an opaque INTERNAL error.
 */
export async function inDialogTransaction<T>(
  deps: Pick<CoreServices, "db">,
  run: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  try {
    return await deps.db.transaction((tx) => run(tx));
  } catch (error) {
    if (isLockContention(error)) {
      throw new AppError("TOO_MANY_REQUESTS", "dialog busy; retry shortly", { retryAfterMs: 500 });
    }
    throw error;
  }
}

async function loadView(
  deps: Pick<CoreServices, "db">,
  dialogId: string,
  userId: string,
  peerUserId: string | null,
): Promise<DialogView> {
  const [dialog, member] = await Promise.all([
    getDialog(deps.db, dialogId),
    getMember(deps.db, dialogId, userId),
  ]);
  if (!dialog || !member) throw new AppError("NOT_FOUND", "dialog not found");
  return toDialogView(dialog, member, peerUserId);
}
