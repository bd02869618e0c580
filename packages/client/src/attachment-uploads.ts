import type { TAttachmentRef, TMediaContent } from "@parley/protocol";
import { ApiError } from "./api";

/** A file to send: what a browser File or a test's bytes provide. */
export type OutgoingFile = { name: string; size: number; type: string; body: Blob | Uint8Array };

/**
 * Uploads one file into a dialog and answers the server's reference (POST /api/attachments).
 * `onProgress` reports bytes sent so far; a refusal rejects with an ApiError (its code says why).
 */
export type AttachmentUploader = (input: {
  dialogId: string;
  file: OutgoingFile;
  onProgress: (loaded: number) => void;
}) => Promise<TAttachmentRef>;

export type UploadProgress = { dialogId: string; localId: string; loaded: number; total: number };

/** A reference not uploaded yet: its id is empty until the server answers. */
export const UNSENT_ATTACHMENT_ID = "";

export function hasUnsentAttachments(content: { kind: string; attachments?: { id: string }[] }): boolean {
  return content.kind === "media" && (content.attachments ?? []).some((a) => a.id === UNSENT_ATTACHMENT_ID);
}

/**
 * The uploads behind messages with files. A message shows at once with its files' names and sizes
 * (ids empty); its uploads run right away, in parallel with earlier sends, and the message's real
 * content — the server's references — is what the send queue sends once they all finished. The
 * files stay in memory by local id until the message is acked or discarded, so Retry can upload
 * them again; after a restart they are gone, and such a message fails in place (delete it).
 */
export class AttachmentUploads {
  private readonly files = new Map<string, { files: OutgoingFile[]; text?: string }>();
  private readonly progress = new Map<string, UploadProgress>();

  constructor(
    private readonly uploader: AttachmentUploader | undefined,
    private readonly onProgress: (progress: UploadProgress) => void,
  ) {}

  /** What the message shows while its files upload. */
  draft(files: readonly OutgoingFile[], text?: string): TMediaContent {
    return {
      kind: "media",
      text: text?.trim() ? text : "",
      attachments: files.map((file) => ({
        id: UNSENT_ATTACHMENT_ID,
        name: file.name || "file",
        size: file.size,
        mime: file.type || "application/octet-stream",
      })),
    } as TMediaContent;
  }

  /** Starts (or restarts) the uploads of one message; resolves with the content to send. */
  start(
    dialogId: string,
    localId: string,
    files: readonly OutgoingFile[],
    text?: string,
  ): Promise<TMediaContent> {
    this.files.set(localId, { files: [...files], ...(text !== undefined ? { text } : {}) });
    const uploader = this.uploader;
    if (!uploader)
      return Promise.reject(new ApiError("UPLOAD_UNAVAILABLE", "this client cannot upload files"));
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const loaded = files.map(() => 0);
    const report = () => {
      const progress = { dialogId, localId, loaded: loaded.reduce((a, b) => a + b, 0), total };
      this.progress.set(localId, progress);
      this.onProgress(progress);
    };
    report();
    return Promise.all(
      files.map((file, index) =>
        uploader({
          dialogId,
          file,
          onProgress: (bytes) => {
            loaded[index] = Math.min(bytes, file.size);
            report();
          },
        }),
      ),
    ).then((refs) => {
      files.forEach((file, i) => {
        loaded[i] = file.size;
      });
      report();
      return { kind: "media", text: text?.trim() ? text : "", attachments: refs } as TMediaContent;
    });
  }

  /** Uploads a failed message's files again, if this run still holds them. */
  restart(dialogId: string, localId: string): Promise<TMediaContent> | null {
    const held = this.files.get(localId);
    if (!held) return null;
    return this.start(dialogId, localId, held.files, held.text);
  }

  /** Bytes sent so far for a message still uploading (null: none in progress). */
  progressOf(localId: string): UploadProgress | null {
    return this.progress.get(localId) ?? null;
  }

  forget(localId: string): void {
    this.files.delete(localId);
    this.progress.delete(localId);
  }
}
