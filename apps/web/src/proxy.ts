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

/** Every response, pages, route handlers and static files alike, carries the security headers. */
export function proxy(request: NextRequest) {
  const response = signInGate(request) ?? NextResponse.next();
  for (const [name, value] of Object.entries(securityHeadersFor(request.nextUrl.pathname))) {
    response.headers.set(name, value);
  }
  return response;
}
