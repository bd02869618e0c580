import { createTestAuthEnv } from "@parley/auth/testing";
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
  type TestDatabase,
} from "@parley/testkit";
import {
  type ApiProcess,
  type AppProcess,
  startApiProcess,
  startWorkerProcess,
} from "@parley/testkit/app-processes";
import { type GatewayProcess, startGatewayProcess } from "@parley/testkit/gateway";

/**
 * Tests send and sync far faster than a person: the per-client and per-user read and send budgets
 * are lifted; every other limit is production's.
 */
const TEST_BUDGETS = {
  READ_RATE_LIMIT_MAX: "1000000",
  READ_RATE_LIMIT_USER_MAX: "1000000",
  SEND_RATE_LIMIT_MAX: "1000000",
  SEND_RATE_LIMIT_USER_MAX: "1000000",
};

/** The worker relays an outbox row this soon after its send failed to publish (NATS down). */
const RELAY_AFTER_MS = "500";

export type Stack = {
  testDb: TestDatabase;
  api: ApiProcess;
  worker: AppProcess;
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
 * The whole path as separate processes, as production runs them: the API server (apps/api), the
 * worker (apps/worker: the outbox relay a NATS outage needs) and gateways, each attached to the NATS
 * server(s) given, over a fresh MariaDB database.
 */
export async function startStack(options: {
  label: string;
  apiNatsUrl: string;
  gatewayNatsUrls: string[];
  gatewayEnv?: Record<string, string>;
  /** Extra API and worker env, e.g. BIG_GROUP_MIN_MEMBERS for big-group tests (both must agree). */
  apiEnv?: Record<string, string>;
}): Promise<Stack> {
  await Promise.all([requireMariaDb(), requireNats(), requireRedis()]);
  const testDb = await createTestDatabase(options.label);
  const authEnv = await createTestAuthEnv();
  const launch = { databaseUrl: testDb.url, natsUrl: options.apiNatsUrl };
  const api = await startApiProcess({ ...launch, env: { ...authEnv, ...TEST_BUDGETS, ...options.apiEnv } });
  const worker = await startWorkerProcess({
    ...launch,
    env: { RELAY_AFTER_MS, WORKER_HOLDER: `test-${process.pid}`, ...options.apiEnv },
  });
  const gateways = await Promise.all(
    options.gatewayNatsUrls.map((natsUrl, index) =>
      startGatewayProcess({
        natsUrl,
        publicKeyPem: authEnv.REALTIME_TOKEN_PUBLIC_KEY,
        env: { GATEWAY_ID: `gw${index + 1}`, ...options.gatewayEnv },
      }),
    ),
  );
  const engines: ChatEngine[] = [];
  const fetched = new WeakMap<ChatEngine, { count: number }>();
  return {
    testDb,
    api,
    worker,
    gateways,
    publicKeyPem: authEnv.REALTIME_TOKEN_PUBLIC_KEY,
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
      await Promise.all([api.kill(), worker.kill()]);
      await testDb.drop().catch((error: unknown) => console.warn("[stack] drop:", error));
    },
  };
}
