import { z } from "zod";
import { ZId } from "./ids";

/**
 * A profile's version: bumped by every change in the same UPDATE that makes it. A client keeps the
 * highest version it saw, so a late or repeated event never undoes a newer change.
 */
export const ZProfileVersion = z.number().int().min(0);

/** Where an avatar image is fetched from (a same-origin path the API serves), or null for initials. */
export const ZAvatarUrl = z.string().max(512).nullable();

/**
 * A user changed their display name or avatar. Published on `chat.user.<id>` of the user (their other
 * clients) and of the people they share a dialog with (bounded: see docs/design.md "Names and
 * avatars"); everyone else reads the new profile at their next `user.byIds`.
 */
export const ZProfileEvent = z.object({
  type: z.literal("profile"),
  userId: ZId,
  displayName: z.string(),
  avatarUrl: ZAvatarUrl,
  version: ZProfileVersion,
});

/**
 * A group's title or avatar changed (by its owner or an admin). Published to every member on their
 * user subject; `dialog.list` / `dialog.get` return the same fields after any absence.
 */
export const ZGroupInfoEvent = z.object({
  type: z.literal("groupInfo"),
  dialogId: ZId,
  title: z.string(),
  avatarUrl: ZAvatarUrl,
  version: ZProfileVersion,
  /** Who made the change. */
  byUserId: ZId,
});

export type TProfileEvent = z.infer<typeof ZProfileEvent>;
export type TGroupInfoEvent = z.infer<typeof ZGroupInfoEvent>;
