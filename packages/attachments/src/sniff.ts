import type { AttachmentMime } from "@parley/protocol";

/** Bytes read before deciding a type: every signature below fits, and so does a text sample. */
export const SNIFF_BYTES = 4096;

const startsWith = (head: Uint8Array, signature: readonly number[], offset = 0) =>
  head.length >= offset + signature.length && signature.every((byte, i) => head[offset + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The type of an upload, from its first bytes. The client's Content-Type is only a hint for the
 * one format with no signature (plain text); anything unrecognised is refused, so a page, a script
 * or an SVG can never be stored under an image's name. What is served later is this type.
 */
export function sniffMime(head: Uint8Array, declared: string | null): AttachmentMime | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "image/gif";
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(head, ascii("%PDF-"))) return "application/pdf";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return "application/zip";
  }
  if (startsWith(head, ascii("OggS"))) return "audio/ogg";
  if (
    startsWith(head, ascii("ID3")) ||
    (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)
  ) {
    return "audio/mpeg";
  }
  if (startsWith(head, ascii("ftyp"), 4)) return "video/mp4";
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return "video/webm";
  if (declared?.split(";")[0]?.trim().toLowerCase() === "text/plain" && isPlainText(head))
    return "text/plain";
  return null;
}

/** UTF-8 without control bytes other than tab, newline and carriage return (a cut last character is fine). */
function isPlainText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
    if (byte === 0x7f) return false;
  }
  try {
    // Drop up to 3 bytes of a character cut at the sample's end before checking the rest.
    new TextDecoder("utf-8", { fatal: true }).decode(trimPartialCharacter(head));
    return true;
  } catch {
    return false;
  }
}

function trimPartialCharacter(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) return bytes.subarray(0, bytes.length - back);
    break;
  }
  return bytes;
}
