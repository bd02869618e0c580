/** Where an attachment's bytes live in object storage: server ids only, never a user's file name. */
export function attachmentStorageKey(scopeId: string, attachmentId: string, variant?: "thumb"): string {
  return `attachments/${scopeId}/${attachmentId}${variant ? `.${variant}` : ""}`;
}
