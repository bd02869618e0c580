import { join } from "node:path";
import { createTestAuthConfig } from "@parley/auth/testing";
import {
  authenticateWithPassword,
  type ChatApi,
  ChatEngine,
  type ChatEngineOptions,
  createTrpcChatApi,
  type SignedInClient,
} from "@parley/client";
import {
  createTestDatabase,
  requireMariaDb,
  requireNats,
  requireRedis,
  TEST_REDIS_URL,
  type TestDatabase,
} from "@parley/testkit";
import { type GatewayProcess, startGatewayProcess } from "@parley/testkit/gateway";
import { waitForListening } from "@parley/testkit/processes";
import type { Subprocess } from "bun";

const API_SERVER = join(import.meta.dir, "api-server.ts");

export type ApiProcess = { url: string; trpcUrl: string; proc: Subprocess; kill: () => Promise<void> };

export async function startApiProcess(options: {
  databaseUrl: string;
  natsUrl: string;
  authConfigJson: string;
  env?: Record<string, string>;
}): Promise<ApiProcess> {
  const proc = Bun.spawn(["bun", API_SERVER], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      REDIS_URL: TEST_REDIS_URL,
      AUTH_CONFIG_JSON: options.authConfigJson,
      PORT: "0",
      ...options.env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const { port } = await waitForListening(proc, "API", 20_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    trpcUrl: `${url}/trpc`,
    proc,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited, Bun.sleep(3_000).then(() => null)]);
      if (exited === null) proc.kill("SIGKILL");
    },
  };
}

export type Stack = {
  testDb: TestDatabase;
  api: ApiProcess;
  gateways: GatewayProcess[];
  publicKeyPem: string;
  signUp: (handle: string) => Promise<SignedInClient & { handle: string }>;
  /** Another client (device) of an existing user. */
  signIn: (handle: string) => Promise<SignedInClient>;
  engine: (
    client: SignedInClient,
    gateway: GatewayProcess | GatewayProcess[],
    options?: Partial<ChatEngineOptions>,
  ) => ChatEngine;
  /** Messages an engine fetched over HTTP (sync + history): proves catch-up is not a full reload. */
  fetchedBy: (engine: ChatEngine) => number;
  /** A raw tRPC client for one signed-in client (create dialogs, revoke clients…). */
  call: (
    client: SignedInClient,
    kind: "query" | "mutation",
    path: string,
    input?: unknown,
  ) => Promise<unknown>;
  stop: () => Promise<void>;
};

const PASSWORD = "correct horse battery staple";

/**
 * The whole path as separate processes: the API (real routers) and gateways, each attached to the
 * NATS server(s) given, over a fresh MariaDB database.
 */
export async function startStack(options: {
  label: string;
  apiNatsUrl: string;
  gatewayNatsUrls: string[];
  gatewayEnv?: Record<string, string>;
  /** Extra API env, e.g. BIG_GROUP_MIN_MEMBERS for big-group tests. */
  apiEnv?: Record<string, string>;
}): Promise<Stack> {
  await Promise.all([requireMariaDb(), requireNats(), requireRedis()]);
  const testDb = await createTestDatabase(options.label);
  const config = await createTestAuthConfig({ revocationCacheMs: 500 });
  const api = await startApiProcess({
    databaseUrl: testDb.url,
    natsUrl: options.apiNatsUrl,
    authConfigJson: JSON.stringify(config),
    env: options.apiEnv,
  });
  const gateways = await Promise.all(
    options.gatewayNatsUrls.map((natsUrl, index) =>
      startGatewayProcess({
        natsUrl,
        publicKeyPem: config.realtimeTokenPublicKey,
        env: { GATEWAY_ID: `gw${index + 1}`, ...options.gatewayEnv },
      }),
    ),
  );
  const engines: ChatEngine[] = [];
  const fetched = new WeakMap<ChatEngine, { count: number }>();
  return {
    testDb,
    api,
    gateways,
    publicKeyPem: config.realtimeTokenPublicKey,
    async signUp(handle) {
      const client = await authenticateWithPassword(api.trpcUrl, "signUp", {
        handle,
        displayName: `User ${handle}`,
        password: PASSWORD,
      });
      return { ...client, handle };
    },
    signIn: (handle) => authenticateWithPassword(api.trpcUrl, "signIn", { handle, password: PASSWORD }),
    engine(client, gateway, engineOptions = {}) {
      const base = createTrpcChatApi({ url: api.trpcUrl, session: client.session });
      const stats = { count: 0 };
      const counting: ChatApi = {
        ...base,
        async sync(input) {
          const page = await base.sync(input);
          stats.count += page.messages.length;
          return page;
        },
        async history(input) {
          const page = await base.history(input);
          stats.count += page.messages.length;
          return page;
        },
      };
      const engine = new ChatEngine({
        api: counting,
        realtimeUrl: Array.isArray(gateway) ? gateway.map((g) => g.wsUrl) : (gateway as GatewayProcess).wsUrl,
        userId: client.userId,
        clientId: client.clientId,
        backoff: { baseMs: 100, maxMs: 1_000 },
        ...engineOptions,
      });
      engines.push(engine);
      fetched.set(engine, stats);
      return engine;
    },
    fetchedBy: (engine) => fetched.get(engine)?.count ?? 0,
    async call(client, kind, path, input) {
      const { client: trpc } = createTrpcChatApi({ url: api.trpcUrl, session: client.session });
      return kind === "query" ? trpc.query(path, input) : trpc.mutation(path, input);
    },
    async stop() {
      for (const engine of engines) engine.stop();
      await Promise.all(gateways.map((g) => g.kill("SIGKILL")));
      await api.kill();
      await testDb.drop().catch((error: unknown) => console.warn("[stack] drop:", error));
    },
  };
}
