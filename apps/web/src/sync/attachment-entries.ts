import {
  type ChatMessage,
  hasUnsentAttachments,
  type OutgoingFile,
  type UploadProgress,
} from "@parley/client";
import { attachmentPath, isImageMime } from "@parley/protocol";
import type { AttachmentView, TimelineEntry } from "./types";

/**
 * What the timeline shows of a message's files: server URLs once uploaded (members-only routes the
 * browser loads with its session cookie), the sender's own local copies while they upload (so the
 * bubble shows the picture at once), and the upload's progress.
 */
const localPreviews = new Map<string, string[]>();
const progress = new Map<string, UploadProgress>();

/** The browser's File objects as the engine's files. */
export function toOutgoingFiles(files: readonly File[]): OutgoingFile[] {
  return files.map((file) => ({ name: file.name, size: file.size, type: file.type, body: file }));
}

/** Local copies of a message's pictures, shown in its bubble until the server's are there. */
export function rememberLocalPreviews(localId: string, files: readonly File[]): void {
  localPreviews.set(
    localId,
    files.map((file) => (isImageMime(file.type) ? URL.createObjectURL(file) : "")),
  );
}

export function recordUploadProgress(update: UploadProgress): void {
  progress.set(update.localId, update);
}

/** The message's own files left this device: the local copies are not needed any more. */
export function forgetLocalFiles(localId: string): void {
  for (const url of localPreviews.get(localId) ?? []) if (url) URL.revokeObjectURL(url);
  localPreviews.delete(localId);
  progress.delete(localId);
}

export function attachmentFields(message: ChatMessage): Pick<TimelineEntry, "attachments" | "upload"> {
  const content = message.content;
  if (content.kind !== "media") return {};
  const local = localPreviews.get(message.key) ?? [];
  const attachments: AttachmentView[] = content.attachments.map((ref, index) => {
    const uploaded = ref.id !== "";
    const localUrl = local[index] || undefined;
    return {
      key: uploaded ? ref.id : `${message.key}:${index}`,
      name: ref.name,
      size: ref.size,
      mime: ref.mime,
      isImage: isImageMime(ref.mime),
      ...(ref.width && ref.height ? { width: ref.width, height: ref.height } : {}),
      url: uploaded ? attachmentPath(message.dialogId, ref.id) : (localUrl ?? null),
      previewUrl:
        localUrl ?? (uploaded && ref.thumb ? attachmentPath(message.dialogId, ref.id, "thumb") : null),
    };
  });
  const upload = progress.get(message.key);
  const uploading = message.status === "pending" && hasUnsentAttachments(content) && upload;
  return { attachments, ...(uploading ? { upload: { loaded: upload.loaded, total: upload.total } } : {}) };
}
