/**
 * The caller's IP as the proxy in front of Next reports it. Only the first hop of
 * X-Forwarded-For is the client; the rest are proxies. Used for rate limits and the devices page.
 */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  const first = forwarded?.split(",")[0]?.trim();
  if (first) return first;
  return headers.get("x-real-ip");
}
