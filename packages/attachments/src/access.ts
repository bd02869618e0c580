import type { Db } from "@parley/db";
import { getMember } from "@parley/db/queries";
import { type AttachmentPurpose, ParleyError } from "@parley/protocol";

/** One answer for "no such attachment", "no such dialog" and "not yours to see": nothing to enumerate. */
export function attachmentNotFound(): ParleyError {
  return new ParleyError("NOT_FOUND", "attachment not found");
}

/**
 * Who may upload into a scope, and read from it: a dialog's members for message attachments and
 * group avatars; for a profile avatar, its own user uploads, and anyone signed in reads (names and
 * avatars are what a person shows to those who find them).
 */
export async function canUseScope(
  db: Db,
  purpose: AttachmentPurpose,
  scopeId: string,
  userId: string,
  mode: "upload" | "read",
): Promise<boolean> {
  if (purpose === "user_avatar") return mode === "read" || scopeId === userId;
  return (await getMember(db, scopeId, userId)) !== null;
}
