/**
 * Who the request gate counts a request against, read from headers alone (no verification: the gate
 * runs before any work). A bearer token or a session cookie names one client; without either, the
 * client's address. Keys are hashes, so the gate's table holds no credentials. A made-up token only
 * gets a bucket of its own and is refused by tRPC's auth; see docs/auth.md for what that leaves.
 */
import { SESSION_COOKIE_NAME } from "@parley/auth";

const SESSION_COOKIE = new RegExp(`(?:^|;\\s*)(?:__Host-)?${SESSION_COOKIE_NAME}=([^;]+)`);

export function callerKey(headers: Headers, ip: string | null): string {
  const authorization = headers.get("authorization");
  if (authorization?.startsWith("Bearer "))
    return `t:${Bun.hash(authorization.slice(7).trim()).toString(36)}`;
  const session = headers.get("cookie")?.match(SESSION_COOKIE)?.[1];
  if (session) return `s:${Bun.hash(session).toString(36)}`;
  return `ip:${ip ?? "unknown"}`;
}

/** The procedures a tRPC URL calls: `/api/trpc/a.b,c.d` → ["a.b", "c.d"]. */
export function procedurePaths(pathname: string, endpoint: string): string[] {
  const rest = pathname.slice(endpoint.length + 1);
  if (!rest) return [];
  let decoded = rest;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    // tRPC refuses a malformed path itself; count it as one call.
  }
  return decoded.split(",");
}
