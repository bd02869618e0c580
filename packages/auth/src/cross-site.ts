/**
 * True when a browser tells us the request came from another site. Cookies are ambient (the browser
 * attaches them), so a cookie-authenticated request must prove it came from our own origin;
 * bearer tokens are not ambient and need no such check.
 *
 * Sec-Fetch-Site is set by every current browser and cannot be forged by page script; Origin is the
 * fallback for older ones. Requests with neither (curl, server-to-server) are not browser CSRF.
 */
export function isCrossSiteRequest(headers: Headers, appOrigin: string): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = headers.get("origin");
  if (!origin) return false;
  return origin !== appOrigin;
}
