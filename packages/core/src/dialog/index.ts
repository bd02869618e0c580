export { addMembersUnderLock, createGroupDialog, openDirectDialog } from "./dialog-create";
export { getDialogView, type InboxPage, listDialogMembers, listInbox, type MemberView } from "./dialog-read";
export type { DialogView } from "./dialog-view";
export { directDialogId, isDirectDialogId } from "./direct-dialog-id";
export { addGroupMembers, leaveGroup, removeGroupMember } from "./membership";
export { sendTyping } from "./typing";
