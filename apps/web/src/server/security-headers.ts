import { apiSecurityHeaders, pageSecurityHeaders } from "@parley/api/http";
import { readWebEnv } from "./env";

/**
 * The security headers for one response of the web app, by path: route handlers under /api answer
 * JSON, redirects or nothing (they may load nothing); everything else is a page or something a page
 * loads. Computed per request because the realtime gateway's URL (connect-src) is known only at run
 * time. The proxy (src/proxy.ts) sets them on every response.
 */
export function securityHeadersFor(pathname: string): Record<string, string> {
  if (pathname === "/api" || pathname.startsWith("/api/")) return apiSecurityHeaders();
  const env = readWebEnv();
  return pageSecurityHeaders({
    realtimeUrls: env.REALTIME_URL.split(","),
    dev: env.NODE_ENV === "development",
  });
}
