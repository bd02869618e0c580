import { clientIpFrom } from "@parley/auth";
import { readWebEnv } from "./env";

/**
 * The caller's IP for rate limits and the devices page. Only hops added by our own proxies can be
 * trusted: the leftmost X-Forwarded-For entry is whatever the client wrote. With TRUSTED_PROXY_HOPS
 * proxies in front (Vercel's edge, a load balancer), the client is that many hops from the right.
 */
export function clientIp(headers: Headers): string | null {
  return clientIpFrom(headers, { trustedProxies: readWebEnv().TRUSTED_PROXY_HOPS });
}
