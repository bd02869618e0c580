/**
 * True when a browser tells us the request came from another site. Cookies are ambient (the browser
 * attaches them), so a cookie-authenticated request must prove it came from our own origin;
 * bearer tokens are not ambient and need no such check.
 *
 * Sec-Fetch-Site is set by every current browser and cannot be forged by page script; Origin is the
 * fallback for older ones. Requests with neither (curl, server-to-server) are not browser CSRF.
 */
export function isCrossSiteRequest(headers: Headers, appOrigin: string): boolean {
  // A top-level navigation (a link from elsewhere) is a GET that changes nothing: SameSite=Lax sends
  // the cookie for it and pages rendered for it may know the user. Cross-site POST navigations never
  // carry a Lax cookie, and tRPC mutations are POST-only.
  if (headers.get("sec-fetch-mode") === "navigate" && headers.get("sec-fetch-dest") === "document") {
    return false;
  }
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = headers.get("origin");
  if (!origin) return false;
  return origin !== appOrigin;
}
