import { ATTACHMENT_UPLOAD_PATH, ZUploadedAttachment } from "@parley/protocol";
import { UserFacingError } from "~/lib/errors";
import { tabSession } from "~/trpc/tab-session";

const REFUSALS: Record<number, string> = {
  413: "That image is too large for an avatar.",
  415: "An avatar must be a JPEG, PNG, GIF or WebP image.",
  429: "Too many uploads; wait a little and try again.",
};

/**
 * Uploads an image as an avatar (the attachment route, with this tab's bearer token: uploads take
 * no cookie) and answers its attachment id, which `user.updateProfile` / `dialog.updateInfo` then
 * set. `scopeId` is the group for a group avatar; a user avatar's scope is the uploader.
 */
export async function uploadAvatar(
  purpose: "user_avatar" | "dialog_avatar",
  scopeId: string,
  file: File,
): Promise<string> {
  const query = new URLSearchParams({ purpose, scope: scopeId, name: file.name || "avatar" });
  const response = await tabSession().fetch(`${ATTACHMENT_UPLOAD_PATH}?${query}`, {
    method: "POST",
    headers: { "content-type": file.type || "application/octet-stream" },
    body: file,
  });
  if (!response.ok) {
    throw new UserFacingError(REFUSALS[response.status] ?? "The image could not be uploaded. Try again.");
  }
  return ZUploadedAttachment.parse(await response.json()).id;
}
