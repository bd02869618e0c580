export { applyChangeInConfirm, DELETED_PREVIEW } from "./apply-change";
export { checkChange, isChangeKind, type PreparedSend } from "./check-change";
export { withMessageStates } from "./page-states";
export { replyPreviewFor } from "./reply";
export { toReplyPreview, toWireState } from "./wire-state";
