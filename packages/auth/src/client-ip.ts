import { isIP } from "node:net";

/**
 * The caller's address for rate limits and the devices page, from the headers a host process sees.
 *
 * X-Forwarded-For is a list every proxy *appends* to, so only its rightmost entries — the ones our
 * own proxies added — can be trusted; the leftmost entry is whatever the client chose to send. Using
 * the first hop lets anyone pick a fresh IP per request and walk straight past per-IP limits.
 *
 * `trustedProxies` is how many proxies in front of the app append to the header (0: trust none and
 * use `peer`, the socket address, when the host knows it). The client is the entry that many places
 * from the right. Anything that is not an IP address is ignored.
 */
export function clientIpFrom(
  headers: Headers,
  options: { trustedProxies: number; peer?: string | null },
): string | null {
  const peer = options.peer && isIP(options.peer) ? options.peer : null;
  if (options.trustedProxies <= 0) return peer;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  if (hops.length === 0) return peer;
  // Fewer hops than trusted proxies: the request skipped a proxy; the leftmost is the best we have.
  const candidate = hops[Math.max(0, hops.length - options.trustedProxies)];
  return candidate && isIP(candidate) ? candidate : peer;
}
