import type { Server } from "bun";
import type { GatewayEnv } from "./env";
import { type Gauges, type Metrics, renderMetrics } from "./metrics";

export type OpsState = {
  metrics: Metrics;
  /** Read at scrape time: live gauges cost nothing between scrapes. */
  gauges: () => Gauges;
  isHealthy: () => boolean;
};

/**
 * Metrics and health details on their own listener (METRICS_HOST:METRICS_PORT, loopback by default):
 * an L4 balancer forwards a whole port, so anything on the public port is public. Not reusePort:
 * each process needs its own port, or a scrape would read whichever process the kernel picked.
 */
export function startOpsServer(env: GatewayEnv, state: OpsState): Server<undefined> {
  return Bun.serve({
    port: env.METRICS_PORT,
    hostname: env.METRICS_HOST,
    fetch(req) {
      const { pathname } = new URL(req.url);
      if (pathname === "/metrics") {
        return new Response(renderMetrics(state.metrics, state.gauges()), {
          headers: { "content-type": "text/plain; version=0.0.4" },
        });
      }
      if (pathname === "/healthz") {
        const gauges = state.gauges();
        const ok = state.isHealthy();
        return Response.json(
          {
            ok,
            sockets: gauges.sockets,
            users: gauges.users,
            natsConnected: gauges.natsConnected,
            eventLoopLagMs: gauges.eventLoopLagMs,
            shedding: gauges.shedding,
          },
          { status: ok ? 200 : 503 },
        );
      }
      return new Response("not found", { status: 404 });
    },
  });
}
