export { addMembersUnderLock, createGroupDialog, openDirectDialog } from "./dialog-create";
export { getDialogView, type InboxPage, listDialogMembers, listInbox, type MemberView } from "./dialog-read";
export type { DialogView } from "./dialog-view";
export { directDialogId, isDirectDialogId } from "./direct-dialog-id";
export { updateGroupInfo } from "./group-profile";
export { addGroupMembers, leaveGroup, removeGroupMember } from "./membership";
export { setDialogMuted } from "./mute";
export { sendTyping } from "./typing";
