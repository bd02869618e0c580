import { getDialog, getTimelineSeq, listTimeline } from "@parley/db/queries";
import type { TMessage } from "@parley/protocol";
import type { Actor } from "../actor";
import { dialogNotFound, requireMember } from "../dialog/access";
import { AppError } from "../errors";
import { enforceReadRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";
import { toWireMessage } from "./wire";

export type AroundPage = {
  messages: TMessage[];
  /** The seq the page is centred on (the message asked for, when it is visible to the caller). */
  seq: number;
  hasOlder: boolean;
  hasNewer: boolean;
  lastSeq: number;
};

/**
 * A window of the timeline around one message (a search hit, a reply's original): up to `limit`
 * messages older than it, the message, and up to `limit` newer, in seq order. Two range reads of the
 * timeline on the dialog's shard. By seq, or by message id (the timeline's unique (dialog, msg_id)).
 * Like history, nothing from before the caller joined; a message that is not on the timeline (or
 * not visible to the caller) is NOT_FOUND.
 */
export async function dialogAround(
  services: CoreServices,
  actor: Actor,
  input: { dialogId: string; target: { seq: number } | { msgId: string }; limit: number },
): Promise<AroundPage> {
  await enforceReadRateLimit(services, actor);
  const member = await requireMember(services.db, input.dialogId, actor.userId);
  const dialog = await getDialog(services.db, input.dialogId);
  if (!dialog) throw dialogNotFound();
  const seq =
    "seq" in input.target
      ? input.target.seq
      : await getTimelineSeq(services.db, input.dialogId, input.target.msgId);
  if (seq === null || seq <= member.joinedSeq || seq > dialog.lastSeq) {
    throw new AppError("NOT_FOUND", "message not found");
  }
  const [olderAndTarget, newer] = await Promise.all([
    listTimeline(services.db, input.dialogId, {
      afterSeq: member.joinedSeq,
      beforeSeq: seq + 1,
      limit: input.limit + 2,
      newestFirst: true,
    }),
    listTimeline(services.db, input.dialogId, {
      afterSeq: seq,
      beforeSeq: Number.MAX_SAFE_INTEGER,
      limit: input.limit + 1,
      newestFirst: false,
    }),
  ]);
  const older = olderAndTarget.slice(0, input.limit + 1).reverse();
  return {
    messages: [...older, ...newer.slice(0, input.limit)].map(toWireMessage),
    seq,
    hasOlder: olderAndTarget.length > input.limit + 1,
    hasNewer: newer.length > input.limit,
    lastSeq: dialog.lastSeq,
  };
}
