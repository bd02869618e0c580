import { connect } from "@nats-io/transport-node";
import { natsServers } from "@parley/protocol";
import { createTokenVerifier, importRealtimePublicKey } from "./auth";
import { loadGatewayEnv } from "./env";
import { startGateway } from "./server";

const env = loadGatewayEnv();
const key = await importRealtimePublicKey(env.REALTIME_TOKEN_PUBLIC_KEY).catch((error: unknown) => {
  console.error(`[realtime] bad environment variable REALTIME_TOKEN_PUBLIC_KEY: ${String(error)}`);
  process.exit(1);
});

const nc = await connect({
  servers: natsServers(env.NATS_URL),
  name: `realtime-${env.GATEWAY_ID}`,
  // Never give up: a gateway without NATS is useless, and clients resync once it is back.
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  pingInterval: 5_000,
  maxPingOut: 2,
}).catch((error: unknown) => {
  console.error(`[realtime] NATS is not reachable at ${env.NATS_URL}: ${String(error)}`);
  process.exit(1);
});

const gateway = startGateway({ env, verifier: createTokenVerifier(key, env.TOKEN_SKEW_MS), nc });
// Tokens are refused until revokes are heard: say "listening" (tests, orchestration) only after that.
await gateway.ready;
console.log(
  JSON.stringify({
    event: "listening",
    port: gateway.port,
    metricsPort: gateway.metricsPort,
    gatewayId: env.GATEWAY_ID,
    pid: process.pid,
  }),
);

void (async () => {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") {
      gateway.metrics.natsDisconnects++;
      gateway.natsLost();
    } else if (status.type === "reconnect") {
      gateway.metrics.natsReconnects++;
      // Subscriptions are replayed by the client on reconnect; flush so they are live at the new
      // server before telling clients to catch up, or events in between would be missed again.
      await nc.flush().catch(() => undefined);
      gateway.natsBack();
      gateway.resync("nats reconnect");
      console.log(JSON.stringify({ event: "nats-reconnect", server: status.server }));
    }
  }
})();

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ event: "shutdown", signal }));
  await gateway.shutdown();
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
// A full garbage collection on demand (ops, and bench/realtime-sockets.ts): RSS read after it is
// live memory plus allocator slack, without garbage that a later collection would free anyway.
process.on("SIGUSR2", () => Bun.gc(true));
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
