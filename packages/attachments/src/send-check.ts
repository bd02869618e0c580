import type { Db } from "@parley/db";
import { getAttachments } from "@parley/db/queries";
import { ParleyError, type TAttachmentRef, ZAttachmentRef } from "@parley/protocol";

/**
 * The attachments a message may carry, as the server knows them: each must be the sender's own
 * upload, for this dialog, for a message, and finished. The client's name/size/type/dimensions are
 * replaced by the row's (one single-shard read: the rows live on the dialog's shard). Any other
 * reference refuses the message for good (BAD_REQUEST): resending it cannot help.
 */
export async function resolveMessageAttachments(
  db: Db,
  dialogId: string,
  senderId: string,
  refs: readonly TAttachmentRef[],
): Promise<TAttachmentRef[]> {
  const ids = refs.map((ref) => ref.id);
  if (new Set(ids).size !== ids.length) {
    throw new ParleyError("BAD_REQUEST", "the same attachment is listed twice");
  }
  const rows = new Map((await getAttachments(db, dialogId, ids)).map((row) => [row.id, row]));
  return ids.map((id) => {
    const row = rows.get(id);
    if (!row || row.ownerId !== senderId || row.purpose !== "message" || row.state !== "uploaded") {
      throw new ParleyError("BAD_REQUEST", "an attachment is not an upload of yours in this dialog");
    }
    return ZAttachmentRef.parse({
      id: row.id,
      name: row.name,
      size: row.size,
      mime: row.mime,
      ...(row.width && row.height ? { width: row.width, height: row.height } : {}),
      ...(row.hasThumb ? { thumb: true } : {}),
    });
  });
}
