import {
  addGroupMembers,
  createGroupDialog,
  getDialogView,
  leaveGroup,
  listDialogMembers,
  listInbox,
  openDirectDialog,
  removeGroupMember,
  sendTyping,
} from "@parley/core/dialog";
import { dialogHistory, listChanges, markDialog, syncDialog } from "@parley/core/message";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import { setMutedProcedure, updateGroupInfoProcedure } from "./group-settings";
import {
  ZAddMembersInput,
  ZChangesInput,
  ZCreateGroupInput,
  ZDialogIdInput,
  ZHistoryInput,
  ZListDialogsInput,
  ZMarkInput,
  ZOpenDirectInput,
  ZRemoveMemberInput,
  ZSyncInput,
} from "./messaging-inputs";
import { ZChangesPage, ZSyncPage, ZTypingOutput, ZWatermarks } from "./messaging-outputs";

type ActorCtx = { user: { id: string }; client: { id: string } };
const actorOf = (ctx: ActorCtx) => ({ userId: ctx.user.id, clientId: ctx.client.id });

export const dialogRouter = createTRPCRouter({
  openDirect: protectedProcedure
    .input(ZOpenDirectInput)
    .mutation(({ ctx, input }) => openDirectDialog(ctx.services, actorOf(ctx), input.userId)),
  createGroup: protectedProcedure
    .input(ZCreateGroupInput)
    .mutation(({ ctx, input }) => createGroupDialog(ctx.services, actorOf(ctx), input)),
  addMembers: protectedProcedure
    .input(ZAddMembersInput)
    .mutation(({ ctx, input }) => addGroupMembers(ctx.services, actorOf(ctx), input)),
  removeMember: protectedProcedure
    .input(ZRemoveMemberInput)
    .mutation(({ ctx, input }) => removeGroupMember(ctx.services, actorOf(ctx), input)),
  leave: protectedProcedure
    .input(ZDialogIdInput)
    .mutation(({ ctx, input }) => leaveGroup(ctx.services, actorOf(ctx), input.dialogId)),
  get: protectedProcedure
    .input(ZDialogIdInput)
    .query(({ ctx, input }) => getDialogView(ctx.services, actorOf(ctx), input.dialogId)),
  list: protectedProcedure
    .input(ZListDialogsInput)
    .query(({ ctx, input }) =>
      listInbox(ctx.services, actorOf(ctx), { cursor: input.cursor ?? null, limit: input.limit }),
    ),
  members: protectedProcedure
    .input(ZDialogIdInput)
    .query(({ ctx, input }) => listDialogMembers(ctx.services, actorOf(ctx), input.dialogId)),
  sync: protectedProcedure
    .input(ZSyncInput)
    .output(ZSyncPage)
    .query(({ ctx, input }) => syncDialog(ctx.services, actorOf(ctx), input)),
  history: protectedProcedure
    .input(ZHistoryInput)
    .output(ZSyncPage)
    .query(({ ctx, input }) =>
      dialogHistory(ctx.services, actorOf(ctx), {
        dialogId: input.dialogId,
        beforeSeq: input.beforeSeq ?? null,
        limit: input.limit,
      }),
    ),
  changes: protectedProcedure
    .input(ZChangesInput)
    .output(ZChangesPage)
    .query(({ ctx, input }) => listChanges(ctx.services, actorOf(ctx), input?.cursor ?? null)),
  markDelivered: protectedProcedure
    .input(ZMarkInput)
    .output(ZWatermarks)
    .mutation(({ ctx, input }) => markDialog(ctx.services, actorOf(ctx), { ...input, mark: "delivered" })),
  markRead: protectedProcedure
    .input(ZMarkInput)
    .output(ZWatermarks)
    .mutation(({ ctx, input }) => markDialog(ctx.services, actorOf(ctx), { ...input, mark: "read" })),
  updateInfo: updateGroupInfoProcedure,
  setMuted: setMutedProcedure,
  typing: protectedProcedure
    .input(ZDialogIdInput)
    .output(ZTypingOutput)
    .mutation(({ ctx, input }) => sendTyping(ctx.services, actorOf(ctx), input.dialogId)),
});
