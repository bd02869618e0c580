/**
 * The security headers every response of ours carries, in one place for every HTTP front (the Next
 * app's proxy, the Bun.serve API server). Both kinds refuse framing (`X-Frame-Options` for old
 * browsers, `frame-ancestors` for the rest): a page on a sibling origin rendering our signed-in
 * Devices page under a decoy could have the user click "sign out" or "revoke".
 */

export type SecurityHeaderOptions = {
  /** The realtime gateway URL(s) browsers connect to (REALTIME_URL, comma-separated): connect-src. */
  realtimeUrls?: readonly string[];
  /** `next dev` evaluates code for its overlay and fast refresh: allow eval only there. */
  dev?: boolean;
};

const COMMON: Record<string, string> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
};

/** Origins (scheme://host:port) of the given URLs; anything that is not a ws(s)/http(s) URL is dropped. */
export function connectSources(urls: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const raw of urls) {
    try {
      const url = new URL(raw.trim());
      if (["ws:", "wss:", "http:", "https:"].includes(url.protocol))
        origins.add(`${url.protocol}//${url.host}`);
    } catch {
      // Not a URL: nothing to allow.
    }
  }
  return [...origins];
}

/**
 * Headers for HTML pages and everything the browser loads with them. Next renders inline scripts (the
 * RSC payload) and inline styles, so both need 'unsafe-inline' (nonces would make every page dynamic);
 * everything else is this origin, plus the realtime gateway for the WebSocket. No plugins, no
 * foreign base URL, forms post only here.
 */
export function pageSecurityHeaders(options: SecurityHeaderOptions = {}): Record<string, string> {
  const connect = ["'self'", ...connectSources(options.realtimeUrls ?? [])];
  const scripts = ["'self'", "'unsafe-inline'", ...(options.dev ? ["'unsafe-eval'"] : [])];
  const policy = [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(" ")}`,
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
  return { ...COMMON, "Content-Security-Policy": policy };
}

/** Headers for API answers (JSON, redirects, empty bodies): nothing in them may load or run anything. */
export function apiSecurityHeaders(): Record<string, string> {
  return { ...COMMON, "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'" };
}

/** Sets each header on `headers` (overwriting), for fronts that build their own Response. */
export function applySecurityHeaders(headers: Headers, values: Record<string, string>): Headers {
  for (const [name, value] of Object.entries(values)) headers.set(name, value);
  return headers;
}
