import { z } from "zod";
import { ZId } from "./ids";
import { MAX_TEXT_LENGTH } from "./message-text";
import { isWellFormedText, WELL_FORMED_TEXT_MESSAGE } from "./text";

/** Most attachments one message carries. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Largest upload of any kind, in bytes (the server answers 413 past it). */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** Images are decoded in memory (dimensions, thumbnail): a lower bound keeps that bounded. */
export const MAX_IMAGE_BYTES = 15 * 1024 * 1024;
/** Avatars are small pictures. */
export const MAX_AVATAR_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENT_NAME_LENGTH = 255;

/**
 * What may be uploaded, by the type the server finds in the bytes (never the client's word alone):
 * images it can preview, and a short list of documents and media that browsers do not run.
 */
export const IMAGE_MIME_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
export const FILE_MIME_TYPES = [
  "application/pdf",
  "application/zip",
  "text/plain",
  "audio/mpeg",
  "audio/ogg",
  "video/mp4",
  "video/webm",
] as const;
export const ATTACHMENT_MIME_TYPES = [...IMAGE_MIME_TYPES, ...FILE_MIME_TYPES] as const;
export type AttachmentMime = (typeof ATTACHMENT_MIME_TYPES)[number];

export function isImageMime(mime: string): boolean {
  return (IMAGE_MIME_TYPES as readonly string[]).includes(mime);
}

/** Upload purposes: a message attachment, a group's avatar, one's own avatar. */
export const ATTACHMENT_PURPOSE = ["message", "dialog_avatar", "user_avatar"] as const;
export type AttachmentPurpose = (typeof ATTACHMENT_PURPOSE)[number];

/**
 * An attachment as a message carries it. The server fills name/size/mime/width/height from its own
 * row when the message is sent (a client's values are replaced), so every reader can trust them:
 * width/height let a timeline reserve an image's space before it loads.
 */
export const ZAttachmentRef = z.object({
  id: ZId,
  name: z.string().min(1).max(MAX_ATTACHMENT_NAME_LENGTH).refine(isWellFormedText, WELL_FORMED_TEXT_MESSAGE),
  size: z.number().int().min(0).max(MAX_ATTACHMENT_BYTES),
  mime: z.enum(ATTACHMENT_MIME_TYPES),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** A small preview exists (`?variant=thumb`). */
  thumb: z.boolean().optional(),
});
export type TAttachmentRef = z.infer<typeof ZAttachmentRef>;

/** The upload route's answer. */
export const ZUploadedAttachment = ZAttachmentRef.extend({
  purpose: z.enum(ATTACHMENT_PURPOSE),
  scopeId: ZId,
});
export type TUploadedAttachment = z.infer<typeof ZUploadedAttachment>;

/** Where an attachment's bytes are read (members only; a cookie or a bearer token). */
export function attachmentPath(scopeId: string, attachmentId: string, variant?: "thumb"): string {
  return `/api/attachments/${scopeId}/${attachmentId}${variant ? `?variant=${variant}` : ""}`;
}

/** Where uploads go: `POST` the raw bytes, `?purpose=…&scope=<dialog id>&name=…`. */
export const ATTACHMENT_UPLOAD_PATH = "/api/attachments";

/** A caption: like message text, but may be empty (a file sent on its own). */
export const ZCaption = z
  .string()
  .refine(isWellFormedText, WELL_FORMED_TEXT_MESSAGE)
  .refine(
    (text) => [...text].length <= MAX_TEXT_LENGTH,
    `text must be at most ${MAX_TEXT_LENGTH} characters`,
  );

/**
 * A message of files: at least one attachment, a caption (`""` for none; edited like a text
 * message's text, so `text` is always a string), optionally answering another message. The server
 * checks each attachment on send and replaces its facts with its own.
 */
export const ZMediaContent = z.object({
  kind: z.literal("media"),
  text: ZCaption,
  attachments: z.array(ZAttachmentRef).min(1).max(MAX_ATTACHMENTS_PER_MESSAGE),
  replyTo: ZId.optional(),
});
export type TMediaContent = z.infer<typeof ZMediaContent>;

/** One line for an inbox row or a notification: the caption, else what was sent ("Photo", a file's name). */
export function describeMedia(content: TMediaContent): string {
  if (content.text.trim()) return content.text;
  const count = content.attachments.length;
  if (content.attachments.every((a) => isImageMime(a.mime))) return count === 1 ? "Photo" : `${count} photos`;
  const name = content.attachments.find((a) => !isImageMime(a.mime))?.name ?? "File";
  return count === 1 ? name : `${name} +${count - 1}`;
}
