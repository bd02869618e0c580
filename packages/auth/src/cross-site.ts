/**
 * True when a browser tells us the request came from another site. Cookies are ambient (the browser
 * attaches them), so a cookie-authenticated request must prove it came from our own origin;
 * bearer tokens are not ambient and need no such check.
 *
 * Sec-Fetch-Site is set by every current browser and cannot be forged by page script; Origin is the
 * fallback for older ones. Requests with neither (curl, server-to-server) are not browser CSRF.
 *
 * This is the check for *reads* (resolving who is viewing a page): a top-level navigation from a
 * link elsewhere passes. Anything that changes state uses `isCrossSiteWrite`.
 */
export function isCrossSiteRequest(headers: Headers, appOrigin: string): boolean {
  // A top-level navigation (a link from elsewhere) is a GET that changes nothing: SameSite=Lax sends
  // the cookie for it and pages rendered for it may know the user.
  if (headers.get("sec-fetch-mode") === "navigate" && headers.get("sec-fetch-dest") === "document") {
    return false;
  }
  return isCrossSiteWrite(headers, appOrigin);
}

/**
 * The check for state-changing requests (every cookie-authenticated tRPC mutation, cookie-mode
 * sign-in and sign-up): no exemption for navigations. A `<form method=post>` on a *same-site* origin
 * (a sibling subdomain) is a top-level navigation that SameSite=Lax still sends the cookie with, and
 * tRPC accepts multipart/form-data for mutations — so "navigate" must not pass here.
 */
export function isCrossSiteWrite(headers: Headers, appOrigin: string): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = headers.get("origin");
  if (!origin) return false;
  return origin !== appOrigin;
}
