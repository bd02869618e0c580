/**
 * The web app in production: Next behind our own node:http server. It exists for one reason: Next's
 * route handlers never see the socket, so without a proxy in front (TRUSTED_PROXY_HOPS=0) nothing in
 * Next can tell the caller's address from what the caller wrote in X-Forwarded-For. Here every
 * request gets the socket address stamped in a header of ours first (src/server/peer-address.ts);
 * the per-IP limits read it. `bun run start` runs this; `next start` still works, without per-IP
 * limits unless a proxy is configured.
 */
import { createServer } from "node:http";
import next from "next";
import { readWebEnv } from "./src/server/env";
import { stampPeerAddress, trustPeerHeader } from "./src/server/peer-address";

const env = readWebEnv();
const app = next({ dev: false, dir: import.meta.dir, hostname: env.HOST, port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();
trustPeerHeader();

const server = createServer((request, response) => {
  stampPeerAddress(request);
  void handle(request, response);
});
server.listen(env.PORT, env.HOST, () => {
  console.log(`[web] listening on http://${env.HOST}:${env.PORT}`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  });
}
