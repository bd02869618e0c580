import { ZVisibleName } from "@parley/auth";
import { setDialogMuted, updateGroupInfo } from "@parley/core/dialog";
import { ZAvatarUrl, ZProfileVersion } from "@parley/protocol";
import { z } from "zod";
import { protectedProcedure } from "../trpc";
import { ZDbId } from "./messaging-inputs";

/** A group title: the same rules as at creation (dialog.createGroup). */
const ZGroupTitle = ZVisibleName("title", 128);

export const ZUpdateGroupInfoInput = z
  .object({
    dialogId: ZDbId,
    title: ZGroupTitle.optional(),
    /** A finished `dialog_avatar` upload of the caller's for this group; null removes the picture. */
    avatarAttachmentId: ZDbId.nullable().optional(),
  })
  .refine((input) => input.title !== undefined || input.avatarAttachmentId !== undefined, {
    message: "give a title or an avatar",
  });
export const ZGroupInfoOutput = z.object({
  title: z.string(),
  avatarUrl: ZAvatarUrl,
  version: ZProfileVersion,
});

export const ZSetMutedInput = z.object({ dialogId: ZDbId, muted: z.boolean() });
export const ZSetMutedOutput = z.object({ muted: z.boolean() });

type ActorCtx = { user: { id: string }; client: { id: string } };
const actorOf = (ctx: ActorCtx) => ({ userId: ctx.user.id, clientId: ctx.client.id });

/**
 * dialog.updateInfo: rename a group and/or set its picture. The owner and admins only (FORBIDDEN
 * for a plain member, NOT_FOUND for a non-member); every member hears a `groupInfo` event.
 */
export const updateGroupInfoProcedure = protectedProcedure
  .input(ZUpdateGroupInfoInput)
  .output(ZGroupInfoOutput)
  .mutation(({ ctx, input }) =>
    updateGroupInfo(ctx.services, actorOf(ctx), {
      dialogId: input.dialogId,
      ...(input.title === undefined ? {} : { title: input.title }),
      ...(input.avatarAttachmentId === undefined ? {} : { avatarKey: input.avatarAttachmentId }),
    }),
  );

/** dialog.setMuted: the caller's own mute switch for a dialog, stored for every device. */
export const setMutedProcedure = protectedProcedure
  .input(ZSetMutedInput)
  .output(ZSetMutedOutput)
  .mutation(({ ctx, input }) => setDialogMuted(ctx.services, actorOf(ctx), input));
