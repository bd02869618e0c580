import { MAX_ATTACHMENT_NAME_LENGTH } from "@parley/protocol";

/**
 * The name shown for a file and offered on download: path parts, control, bidi-override and
 * zero-width characters removed (a name must not disguise its extension), cut to the limit.
 */
export function cleanFileName(raw: string | null | undefined): string {
  const base = (raw ?? "").split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/[\p{Cc}\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu, "")
    .trim();
  const name = cleaned === "." || cleaned === ".." ? "" : cleaned;
  return [...(name || "file")].slice(0, MAX_ATTACHMENT_NAME_LENGTH).join("");
}

/** `Content-Disposition` for a download: an ASCII fallback plus the exact UTF-8 name (RFC 6266). */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
