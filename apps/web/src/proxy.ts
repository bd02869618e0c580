import { type NextRequest, NextResponse } from "next/server";
import { securityHeadersFor } from "~/server/security-headers";

// Both names the UAA uses (the __Host- one when cookies are Secure).
const SESSION_COOKIES = ["parley_session", "__Host-parley_session"];
/** The signed-in pages: "/", "/chat", "/chat/…", "/devices". */
const SIGNED_IN_PAGES = /^\/(?:chat(?:\/.*)?|devices)?$/;

/**
 * A visitor without a session cookie goes to sign-in before anything renders: no page, no script,
 * no "Loading…". Only the cookie's presence is checked here; the signed-in layout checks that it
 * names a live session (and redirects too when it does not).
 */
function signInGate(request: NextRequest): NextResponse | null {
  if (!SIGNED_IN_PAGES.test(request.nextUrl.pathname)) return null;
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return null;
  return NextResponse.redirect(new URL("/sign-in", request.url));
}

/** Pages and static files get the security headers here; route handlers set their own (below). */
export function proxy(request: NextRequest) {
  const response = signInGate(request) ?? NextResponse.next();
  for (const [name, value] of Object.entries(securityHeadersFor(request.nextUrl.pathname))) {
    response.headers.set(name, value);
  }
  return response;
}

/**
 * Everything but /api. For a path the proxy matches, Next tees the request body to it and holds the
 * route back until the whole body has arrived (up to 10 MB kept), so an upload the route would refuse
 * at once would be received in full first. Route handlers under /api cap their bodies themselves
 * (@parley/api/http) and add the API security headers to their answers (withApiSecurityHeaders).
 */
export const config = { matcher: ["/((?!api/).*)"] };
