import { getAttachment } from "@parley/db/queries";
import { isImageMime } from "@parley/protocol";
import { attachmentNotFound, canUseScope } from "./access";
import type { AttachmentActor, AttachmentDeps } from "./deps";
import { THUMB_MIME } from "./image";
import { attachmentStorageKey } from "./keys";

export type OpenedAttachment = {
  id: string;
  name: string;
  mime: string;
  size: number;
  isImage: boolean;
  /** Changes only if the bytes could (they never do for one id): a validator for revalidation. */
  etag: string;
  storageKey: string;
};

/**
 * An attachment the actor may read, or NOT_FOUND — the same answer for a missing id, a dialog the
 * actor is not in, and an upload still in progress, so ids can't be probed.
 */
export async function findReadableAttachment(
  deps: AttachmentDeps,
  actor: AttachmentActor,
  scopeId: string,
  attachmentId: string,
  variant: "original" | "thumb",
): Promise<OpenedAttachment> {
  const row = await getAttachment(deps.db, scopeId, attachmentId);
  if (row?.state !== "uploaded") throw attachmentNotFound();
  if (!(await canUseScope(deps.db, row.purpose, scopeId, actor.userId, "read"))) throw attachmentNotFound();
  if (variant === "thumb" && !row.hasThumb) throw attachmentNotFound();
  const isThumb = variant === "thumb";
  return {
    id: row.id,
    name: row.name,
    mime: isThumb ? THUMB_MIME : row.mime,
    size: row.size,
    isImage: isThumb || isImageMime(row.mime),
    etag: `"${row.id}${isThumb ? "t" : ""}"`,
    storageKey: attachmentStorageKey(scopeId, row.id, isThumb ? "thumb" : undefined),
  };
}
