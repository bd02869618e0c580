import { type NextRequest, NextResponse } from "next/server";

// Both names the UAA uses (the __Host- one when cookies are Secure).
const SESSION_COOKIES = ["parley_session", "__Host-parley_session"];

/**
 * A visitor without a session cookie goes to sign-in before anything renders: no page, no script,
 * no "Loading…". Only the cookie's presence is checked here; the signed-in layout checks that it
 * names a live session (and redirects too when it does not).
 */
export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  return NextResponse.redirect(new URL("/sign-in", request.url));
}

export const config = { matcher: ["/", "/chat", "/chat/:path*", "/devices"] };
