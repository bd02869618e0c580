import type { DbOrTx } from "@parley/db";
import { getMessageState, type MessageRow } from "@parley/db/queries";
import type { TReplyPreview } from "@parley/protocol";
import { toReplyPreview } from "./wire-state";

/**
 * The quote of a reply settled without the send path's pre-check (the reconciler rolling it
 * forward): one read of the original, for replies only.
 */
export async function replyPreviewFor(db: DbOrTx, message: MessageRow): Promise<{ reply?: TReplyPreview }> {
  const content = message.content as { replyTo?: unknown } | null;
  const replyTo = typeof content?.replyTo === "string" ? content.replyTo : null;
  if (!replyTo) return {};
  const original = await getMessageState(db, message.dialogId, replyTo);
  const reply = original && toReplyPreview(original);
  return reply ? { reply } : {};
}
