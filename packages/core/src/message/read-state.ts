import { advanceMemberWatermarks, getDialog, getMember, listMemberUserIds } from "@parley/db/queries";
import type { Actor } from "../actor";
import { dialogNotFound, requireMember } from "../dialog/access";
import { RECEIPT_MAX_MEMBERS } from "../limits/limits";
import { publishToUsers } from "../notify/publish";
import type { CoreServices } from "../services";

export type Watermarks = { deliveredSeq: number; readSeq: number };

/**
 * Moves my delivered / read watermark forward (never back, whichever client reports and in whatever
 * order), clamped to the dialog's last_seq. Receipts are pushed in 1:1 and small groups only — a big
 * group would turn every read into one push per member.
 */
export async function markDialog(
  deps: Pick<CoreServices, "db" | "events">,
  actor: Actor,
  input: { dialogId: string; seq: number; mark: "delivered" | "read" },
): Promise<Watermarks> {
  const before = await requireMember(deps.db, input.dialogId, actor.userId);
  const dialog = await getDialog(deps.db, input.dialogId);
  if (!dialog) throw dialogNotFound();
  const seq = Math.min(input.seq, dialog.lastSeq);
  const moves = input.mark === "read" ? seq > before.readSeq : seq > before.deliveredSeq;
  if (!moves) return { deliveredSeq: before.deliveredSeq, readSeq: before.readSeq };
  await advanceMemberWatermarks(deps.db, input.dialogId, actor.userId, {
    deliveredSeq: seq,
    readSeq: input.mark === "read" ? seq : 0,
  });
  const after = await getMember(deps.db, input.dialogId, actor.userId);
  if (!after) throw dialogNotFound();
  const marks = { deliveredSeq: after.deliveredSeq, readSeq: after.readSeq };
  // Never in a big group, whatever its size now (the big-group threshold is configurable).
  if (dialog.memberCount <= RECEIPT_MAX_MEMBERS && dialog.fanoutSince === null) {
    const userIds = await listMemberUserIds(deps.db, input.dialogId);
    publishToUsers(deps.events, userIds, {
      type: "receipt",
      dialogId: input.dialogId,
      userId: actor.userId,
      ...marks,
    });
  }
  return marks;
}
