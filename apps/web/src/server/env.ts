import { parseEnv } from "@parley/protocol";
import { z } from "zod";

const ZWebEnv = z.object({
  /** The WebSocket gateway as browsers reach it. */
  REALTIME_URL: z.url().default("ws://localhost:3001/ws"),
  /**
   * Proxies in front of the app that append to X-Forwarded-For (Vercel's edge, a load balancer). 0
   * (no proxy): the socket address, as apps/web/server.ts stamps it; X-Forwarded-For is then the
   * client's own writing and never believed. Set it to the number of proxies when there are some.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** `next dev` needs eval in its pages (the Content-Security-Policy allows it only then). */
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Where `bun run start` (server.ts) listens. */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
});
export type WebEnv = z.infer<typeof ZWebEnv>;

let cached: WebEnv | null = null;

/** The web app's own settings; the API and auth packages validate theirs. */
export function readWebEnv(): WebEnv {
  if (cached) return cached;
  cached = parseEnv(ZWebEnv, process.env, "web");
  return cached;
}
