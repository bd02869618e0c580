import type { Db } from "@parley/db";
import { getAttachment } from "@parley/db/queries";
import { attachmentPath } from "@parley/protocol";
import { AppError } from "../errors";

/**
 * Where clients fetch an avatar: the attachment route's image preview, which checks who asks (a
 * user's avatar: anyone signed in; a group's: its members). Every new avatar is a new attachment id,
 * so a URL never changes meaning and browsers may cache it. Null when there is no avatar (initials).
 */
export function avatarUrlOf(scopeId: string, attachmentId: string | null): string | null {
  return attachmentId ? attachmentPath(scopeId, attachmentId, "thumb") : null;
}

/**
 * An avatar is an upload the caller finished for this very purpose and scope (their own user id, or
 * the group): nobody can point their avatar at someone else's file or at a message attachment.
 * Anything else is one NOT_FOUND, like every attachment refusal.
 */
export async function requireAvatarUpload(
  db: Db,
  purpose: "user_avatar" | "dialog_avatar",
  scopeId: string,
  attachmentId: string,
  userId: string,
): Promise<void> {
  const row = await getAttachment(db, scopeId, attachmentId);
  if (
    !row ||
    row.purpose !== purpose ||
    row.ownerId !== userId ||
    row.state !== "uploaded" ||
    !row.hasThumb
  ) {
    throw new AppError("NOT_FOUND", "no such avatar upload");
  }
}
