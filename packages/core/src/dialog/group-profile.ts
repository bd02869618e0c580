import {
  getMember,
  insertOutboxRow,
  listMemberUserIds,
  lockDialog,
  updateGroupProfile,
} from "@parley/db/queries";
import type { TGroupInfoEvent } from "@parley/protocol";
import type { Actor } from "../actor";
import { AppError } from "../errors";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceProfileEditRateLimit } from "../limits/rate-limit";
import { scheduleOutboxDelete } from "../message/send/outbox-cleaner";
import { publishToUsers } from "../notify/publish";
import type { CoreServices } from "../services";
import { avatarUrlOf, requireAvatarUpload } from "../user/avatar-url";
import { canManageGroup, dialogNotFound, requireMember } from "./access";
import { inDialogTransaction } from "./dialog-create";
import { isDirectDialogId } from "./direct-dialog-id";

/**
 * Renames a group and/or sets its avatar: the owner and admins only (the same rule as adding
 * members). The role is checked outside the lock first (a member cannot queue on the dialog's row
 * lock), then again under it with the write, so a demoted admin renames nothing. Every member hears
 * a `groupInfo` event; `dialog.list` / `dialog.get` answer the new title after any absence. The event
 * is written to the dialog's outbox with the change, like a message: an API that dies between the
 * commit and the publish leaves it to the relay, instead of a title nobody hears of.
 */
export async function updateGroupInfo(
  deps: LimitDeps & Pick<CoreServices, "db" | "events" | "ids" | "outbox">,
  actor: Actor,
  input: { dialogId: string; title?: string; avatarKey?: string | null },
): Promise<{ title: string; avatarUrl: string | null; version: number }> {
  if (input.title === undefined && input.avatarKey === undefined) {
    throw new AppError("BAD_REQUEST", "nothing to change");
  }
  const me = await requireMember(deps.db, input.dialogId, actor.userId);
  // Known from the id alone (direct dialog ids have bit 63 set): a clear answer before the role's.
  if (isDirectDialogId(input.dialogId)) throw new AppError("BAD_REQUEST", "direct dialogs have no title");
  if (!canManageGroup(me.role)) throw new AppError("FORBIDDEN", "only the owner and admins change the group");
  await enforceProfileEditRateLimit(deps, actor.userId);
  if (input.avatarKey) {
    await requireAvatarUpload(deps.db, "dialog_avatar", input.dialogId, input.avatarKey, actor.userId);
  }
  const change = {
    ...(input.title === undefined ? {} : { title: input.title }),
    ...(input.avatarKey === undefined ? {} : { avatarKey: input.avatarKey }),
  };
  const outboxId = deps.ids.nextId();
  const updated = await inDialogTransaction(deps, async (tx) => {
    const dialog = await lockDialog(tx, input.dialogId);
    const current = await getMember(tx, input.dialogId, actor.userId);
    if (!dialog || !current) throw dialogNotFound();
    if (dialog.kind !== "group") throw new AppError("BAD_REQUEST", "direct dialogs have no title");
    if (!canManageGroup(current.role)) {
      throw new AppError("FORBIDDEN", "only the owner and admins change the group");
    }
    await updateGroupProfile(tx, input.dialogId, change);
    const event: TGroupInfoEvent = {
      type: "groupInfo",
      dialogId: input.dialogId,
      byUserId: actor.userId,
      title: change.title ?? dialog.title ?? "",
      avatarUrl: avatarUrlOf(
        input.dialogId,
        change.avatarKey === undefined ? dialog.avatarKey : change.avatarKey,
      ),
      version: dialog.profileVersion + 1,
    };
    const payloadJson = JSON.stringify(event);
    await insertOutboxRow(tx, { dialogId: input.dialogId, id: outboxId, kind: "groupInfo", payloadJson });
    return event;
  });
  // Always on user subjects (like membership events), big groups included: one push per member per
  // rename, bounded by the rename budget. Not published (NATS away): the relay sends the outbox row.
  if (publishToUsers(deps.events, await listMemberUserIds(deps.db, input.dialogId), updated)) {
    scheduleOutboxDelete(deps, { dialogId: input.dialogId, id: outboxId });
  }
  return { title: updated.title, avatarUrl: updated.avatarUrl, version: updated.version };
}
