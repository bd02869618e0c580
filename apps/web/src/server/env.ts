import { parseEnv } from "@parley/protocol";
import { z } from "zod";

const ZWebEnv = z.object({
  /** The WebSocket gateway as browsers reach it. */
  REALTIME_URL: z.url().default("ws://localhost:3001/ws"),
  /**
   * Proxies in front of Next that append to X-Forwarded-For (Vercel's edge, a load balancer). `next
   * start` fills the header with the socket address only when it is absent, so without a proxy a
   * client can choose its own IP: production always runs behind one.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(1),
});
export type WebEnv = z.infer<typeof ZWebEnv>;

let cached: WebEnv | null = null;

/** The web app's own settings; the API and auth packages validate theirs. */
export function readWebEnv(): WebEnv {
  if (cached) return cached;
  cached = parseEnv(ZWebEnv, process.env, "web");
  return cached;
}
