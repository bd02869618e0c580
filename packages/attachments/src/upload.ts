import { deleteAttachmentRow, insertAttachment, markAttachmentUploaded } from "@parley/db/queries";
import { type AttachmentPurpose, isImageMime, ParleyError, type TUploadedAttachment } from "@parley/protocol";
import { isStorageLimitError } from "@parley/storage";
import { attachmentNotFound, canUseScope } from "./access";
import type { AttachmentActor, AttachmentDeps } from "./deps";
import { cleanFileName } from "./file-name";
import { describeImage, THUMB_MIME } from "./image";
import { attachmentStorageKey } from "./keys";
import { attachmentLimits, spendUploadBudget } from "./limits";
import { peekStream, readAtMost } from "./peek";
import { SNIFF_BYTES, sniffMime } from "./sniff";

export type UploadInput = {
  purpose: AttachmentPurpose;
  scopeId: string;
  name: string;
  declaredType: string | null;
  /** From Content-Length: known before reading, so the limit and budget apply up front. */
  contentLength: number;
  body: ReadableStream<Uint8Array>;
};

/** Why an upload was refused, for the HTTP layer's status (413, 415) and for clients. */
export const UPLOAD_REFUSAL = { TOO_LARGE: "too_large", UNSUPPORTED_TYPE: "unsupported_type" } as const;

export function tooLarge(maxBytes: number): ParleyError {
  return new ParleyError("BAD_REQUEST", `file larger than ${maxBytes} bytes`, {
    refusal: UPLOAD_REFUSAL.TOO_LARGE,
    maxBytes,
  });
}

function unsupported(message: string): ParleyError {
  return new ParleyError("BAD_REQUEST", message, { refusal: UPLOAD_REFUSAL.UNSUPPORTED_TYPE });
}

/**
 * Stores one upload for `actor`: authorised for its scope, budgeted, size-checked before reading,
 * typed by its bytes, then streamed into storage (images are read whole — bounded lower — for their
 * size and preview). The row is written `uploading` first and `uploaded` last, so a crash leaves a
 * row that names what to clean up and can never be sent.
 */
export async function uploadAttachment(
  deps: AttachmentDeps,
  actor: AttachmentActor,
  input: UploadInput,
): Promise<TUploadedAttachment> {
  const limits = attachmentLimits(deps);
  const isAvatar = input.purpose !== "message";
  const maxBytes = isAvatar ? limits.maxAvatarBytes : limits.maxBytes;
  if (input.contentLength > maxBytes) throw tooLarge(maxBytes);
  if (!(await canUseScope(deps.db, input.purpose, input.scopeId, actor.userId, "upload"))) {
    throw attachmentNotFound();
  }
  await spendUploadBudget(deps, actor.userId, input.contentLength);

  const { head, body } = await peekStream(input.body, SNIFF_BYTES);
  const mime = sniffMime(head, input.declaredType);
  if (!mime) throw unsupported("this type of file cannot be sent");
  if (isAvatar && !isImageMime(mime)) throw unsupported("an avatar must be a JPEG, PNG, GIF or WebP image");

  const id = deps.ids.nextId();
  const name = cleanFileName(input.name);
  const key = { scopeId: input.scopeId, id };
  await insertAttachment(deps.db, {
    ...key,
    purpose: input.purpose,
    ownerId: actor.userId,
    name,
    mime,
    now: new Date(),
  });
  const stored: string[] = [];
  try {
    let facts: { size: number; width: number | null; height: number | null; hasThumb: boolean };
    if (isImageMime(mime)) {
      const imageMax = Math.min(maxBytes, limits.maxImageBytes);
      const bytes = await readAtMost(body, imageMax);
      if (!bytes) throw tooLarge(imageMax);
      const image = await describeImage(bytes).catch(() => {
        throw unsupported("the image could not be read");
      });
      const original = attachmentStorageKey(input.scopeId, id);
      stored.push(original);
      await deps.storage.put(original, bytes, { contentType: mime, maxBytes: imageMax });
      const thumb = attachmentStorageKey(input.scopeId, id, "thumb");
      stored.push(thumb);
      await deps.storage.put(thumb, image.thumb, { contentType: THUMB_MIME });
      facts = { size: bytes.byteLength, width: image.width, height: image.height, hasThumb: true };
    } else {
      const original = attachmentStorageKey(input.scopeId, id);
      stored.push(original);
      const info = await deps.storage.put(original, body, { contentType: mime, maxBytes });
      facts = { size: info.size, width: null, height: null, hasThumb: false };
    }
    await markAttachmentUploaded(deps.db, key, facts);
    return {
      id,
      scopeId: input.scopeId,
      purpose: input.purpose,
      name,
      mime,
      size: facts.size,
      ...(facts.width && facts.height ? { width: facts.width, height: facts.height } : {}),
      ...(facts.hasThumb ? { thumb: true } : {}),
    };
  } catch (error) {
    await Promise.allSettled(stored.map((stored) => deps.storage.delete(stored)));
    await deleteAttachmentRow(deps.db, key).catch(() => undefined);
    if (isStorageLimitError(error)) throw tooLarge(error.maxBytes);
    throw error;
  }
}
