import { clientIpFrom } from "@parley/auth";
import { readWebEnv } from "./env";
import { isPeerHeaderTrusted, PEER_HEADER } from "./peer-address";

export { PEER_HEADER, stampPeerAddress, trustPeerHeader } from "./peer-address";

let warned = false;

/**
 * The caller's IP for rate limits and the devices page. With TRUSTED_PROXY_HOPS proxies in front
 * (Vercel's edge, a load balancer) the client is that many hops from the right of X-Forwarded-For:
 * only hops our proxies appended can be trusted, the leftmost entry is whatever the client wrote.
 * With none (the default) it is the socket address our server stamped (peer-address.ts); under plain
 * `next start` that is unknown, and the per-IP budgets are skipped rather than trusting the client.
 */
export function clientIp(
  headers: Headers,
  options: { trustedProxies: number } = { trustedProxies: readWebEnv().TRUSTED_PROXY_HOPS },
): string | null {
  const trusted = isPeerHeaderTrusted();
  if (!trusted && options.trustedProxies === 0 && !warned) {
    warned = true;
    console.warn(
      "[web] TRUSTED_PROXY_HOPS=0 but the socket address is unknown (plain `next start`): per-IP limits are off. " +
        "Start the app with `bun run start` (server.ts), or set TRUSTED_PROXY_HOPS behind a proxy.",
    );
  }
  return clientIpFrom(headers, {
    trustedProxies: options.trustedProxies,
    peer: trusted ? headers.get(PEER_HEADER) : null,
  });
}
