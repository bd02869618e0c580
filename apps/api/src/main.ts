/**
 * The API in production: Bun.serve with the tRPC router at /api/trpc, API_PROCESSES processes on one
 * port (reusePort), every other path proxied to the Next.js server. The first process starts the
 * others and stops them with itself; each has its own pools, NATS connection and leased id worker.
 */
import { createApiServices } from "@parley/api";
import { createAttachmentRoute, MAX_UPLOAD_REQUEST_BYTES } from "./attachment-route";
import { readApiServerEnv } from "./env";
import { createHandler } from "./handler";
import { createRequestGate } from "./request-gate";

const IS_CHILD = process.env.PARLEY_API_CHILD === "1";

let env: ReturnType<typeof readApiServerEnv>;
try {
  env = readApiServerEnv();
} catch (error) {
  // The message names the process and the variable already.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const runtime = await createApiServices();
const handle = createHandler({
  services: runtime.services,
  attachments: createAttachmentRoute(runtime.services),
  maxRequestBytes: env.MAX_REQUEST_BYTES,
  trustedProxies: env.TRUSTED_PROXY_HOPS,
  gate: createRequestGate({
    ratePerSecond: env.GATE_RATE_PER_SECOND,
    burst: env.GATE_BURST,
    maxHoldMs: env.GATE_MAX_HOLD_MS,
    maxHeldPerCaller: env.GATE_MAX_HELD_PER_CALLER,
    // A budget's window is 10 s; holding a procedure longer than that would outlast the refusal.
    maxPenaltyMs: 10_000,
  }),
  ...(env.NEXT_ORIGIN ? { nextOrigin: env.NEXT_ORIGIN } : {}),
});
const server = Bun.serve({
  port: env.PORT,
  hostname: env.HOST,
  reusePort: true,
  // Uploads are larger than any other request; the handler holds everything else to MAX_REQUEST_BYTES.
  maxRequestBodySize: Math.max(env.MAX_REQUEST_BYTES, MAX_UPLOAD_REQUEST_BYTES),
  // A send may wait for its predecessor (CLIENT_SEQ_WAIT_MS) and a slow database: not 10 s idle cuts.
  idleTimeout: 60,
  fetch: (req, srv) => handle(req, srv.requestIP(req)?.address ?? null),
});
console.log(`[api] ${process.pid} listening on http://${env.HOST}:${server.port}`);

const children = IS_CHILD
  ? []
  : Array.from({ length: env.API_PROCESSES - 1 }, () =>
      Bun.spawn([process.execPath, ...process.argv.slice(1)], {
        env: { ...process.env, PARLEY_API_CHILD: "1", PORT: String(server.port) },
        stdio: ["ignore", "inherit", "inherit"],
      }),
    );

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  // In-flight requests finish; new connections go to the other processes (or nowhere).
  await server.stop();
  await runtime.close();
  await Promise.all(children.map((child) => child.exited));
  if (!IS_CHILD) console.log(`[api] ${signal}: stopped`);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
if (!IS_CHILD) {
  // A child that dies is a process fewer behind the port: say so; the supervisor decides.
  for (const child of children) {
    void child.exited.then((code) => {
      if (!stopping) console.error(`[api] child ${child.pid} exited (${code})`);
    });
  }
}
