const MAX_RETURN_TO = 512;
/** Control characters and backslashes: URL parsers drop or rewrite them (`/\t/evil` → `//evil`). */
function isUnsafe(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === "\\") return true;
  }
  return false;
}

/**
 * Where to land after an OIDC sign-in: only a path on our own origin. An open redirect would hand a
 * fresh session to a phishing page. Checked by resolving the value the way the redirect will
 * (WHATWG URL parsing strips tabs and newlines, so `/\t/evil.example` would become `//evil.example`)
 * and comparing origins, not by looking at the first characters alone. Anything else is "/".
 */
export function safeReturnTo(value: string | null | undefined, appUrl: string): string {
  if (!value || value.length > MAX_RETURN_TO || isUnsafe(value)) return "/";
  if (!value.startsWith("/") || value.startsWith("//")) return "/";
  let resolved: URL;
  try {
    resolved = new URL(value, appUrl);
  } catch {
    return "/";
  }
  if (resolved.origin !== new URL(appUrl).origin) return "/";
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
