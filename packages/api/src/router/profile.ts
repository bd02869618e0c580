import { ZDisplayName } from "@parley/auth";
import { updateOwnProfile } from "@parley/core/user";
import { ZAvatarUrl, ZId, ZProfileVersion } from "@parley/protocol";
import { z } from "zod";
import { protectedProcedure } from "../trpc";
import { ZDbId } from "./messaging-inputs";

/** A public profile as user.byIds and user.updateProfile answer it. */
export const ZProfile = z.object({
  id: ZId,
  handle: z.string(),
  displayName: z.string(),
  avatarUrl: ZAvatarUrl,
  /** Bumped by every change: a client keeps the newest version it saw (pushes may arrive late). */
  version: ZProfileVersion,
});

export const ZUpdateProfileInput = z
  .object({
    /** Checked like at sign-up: no invisible, control or bidi characters, ≤ 64 characters. */
    displayName: ZDisplayName.optional(),
    /** A finished `user_avatar` upload of the caller's; null removes the picture. */
    avatarAttachmentId: ZDbId.nullable().optional(),
  })
  .refine((input) => input.displayName !== undefined || input.avatarAttachmentId !== undefined, {
    message: "give a display name or an avatar",
  });

/**
 * user.updateProfile: the caller's display name and/or avatar. Budgeted per user; the caller's other
 * clients and the people they share a dialog with hear a `profile` event.
 */
export const updateProfileProcedure = protectedProcedure
  .input(ZUpdateProfileInput)
  .output(ZProfile)
  .mutation(({ ctx, input }) =>
    updateOwnProfile(
      ctx.services,
      { userId: ctx.user.id, clientId: ctx.client.id },
      {
        ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
        ...(input.avatarAttachmentId === undefined ? {} : { avatarKey: input.avatarAttachmentId }),
      },
    ),
  );
