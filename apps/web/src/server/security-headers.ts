import { apiSecurityHeaders, applySecurityHeaders, pageSecurityHeaders } from "@parley/api/http";
import { readWebEnv } from "./env";

/**
 * The security headers for one response of the web app, by path: route handlers under /api answer
 * JSON, redirects or nothing (they may load nothing); everything else is a page or something a page
 * loads. Computed per request because the realtime gateway's URL (connect-src) is known only at run
 * time. The proxy (src/proxy.ts) sets them on pages and static files; route handlers under /api use
 * withApiSecurityHeaders (the proxy does not run for them).
 */
export function securityHeadersFor(pathname: string): Record<string, string> {
  if (pathname === "/api" || pathname.startsWith("/api/")) return apiSecurityHeaders();
  const env = readWebEnv();
  return pageSecurityHeaders({
    realtimeUrls: env.REALTIME_URL.split(","),
    dev: env.NODE_ENV === "development",
  });
}

/** A route handler's answer with the API security headers (copied when its headers are immutable). */
export function withApiSecurityHeaders(response: Response): Response {
  try {
    applySecurityHeaders(response.headers, apiSecurityHeaders());
    return response;
  } catch {
    const copy = new Response(response.body, response);
    applySecurityHeaders(copy.headers, apiSecurityHeaders());
    return copy;
  }
}
