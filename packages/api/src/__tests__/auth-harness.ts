/**
 * Shared setup for the auth integration tests: a fresh database, real Redis and NATS, the real
 * AuthService inside real ApiServices, tRPC callers built with createContext, and the real fetch
 * adapter (plus the OIDC route handlers) over Bun.serve on a loopback port.
 */
import { type AuthConfig, createAuthService, type OidcProviderConfig } from "@parley/auth";
import {
  connectTestPublisher,
  createTestAuthConfig,
  createTestIds,
  type OidcTestProvider,
  startOidcTestProvider,
} from "@parley/auth/testing";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "@parley/testkit";
import { fileFixture } from "@parley/testkit/file-fixture";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sql } from "drizzle-orm";
import Redis from "ioredis";
import { assembleApiServices } from "../assemble-services";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;

export type AuthHarness = Awaited<ReturnType<typeof startAuthHarness>>;

/** Overrides may depend on the server's origin (OIDC redirect URIs need it before providers start). */
type Overrides = Partial<AuthConfig> | ((baseUrl: string) => Promise<Partial<AuthConfig>>);

export async function startAuthHarness(label: string, overrides: Overrides = {}) {
  await requireRedis();
  await requireNats();
  const testDb = await createTestDatabase(label);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const nats = await connectTestPublisher(TEST_NATS_URL);

  let services: ApiServices | null = null;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request, bunServer) => {
      if (!services) return new Response("starting", { status: 503 });
      return route(services, request, bunServer.requestIP(request)?.address ?? null);
    },
  });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const extra = typeof overrides === "function" ? await overrides(baseUrl) : overrides;
  const config = await createTestAuthConfig({ appUrl: baseUrl, ...extra });
  const ids = createTestIds();
  const auth = createAuthService(config, { db: testDb.db, redis, events: nats.events, ids });
  const built: ApiServices = assembleApiServices({ db: testDb.db, redis, events: nats.events, ids }, auth, {
    // Auth tests drive many requests from one client: the messaging budgets are not under test here.
    messaging: {
      readRateLimit: { max: 1_000_000, windowMs: 10_000 },
      sendRateLimit: { max: 1_000_000, windowMs: 10_000 },
    },
  });
  services = built;

  /** A tRPC caller for one request with these headers (e.g. authorization, cookie). */
  async function caller(headers: Record<string, string> = {}, ip: string | null = "127.0.0.1") {
    const resHeaders = new Headers();
    const ctx = await createContext(built, { headers: new Headers(headers), ip }, resHeaders);
    return { call: createCaller(ctx), resHeaders };
  }

  /** Signs up a fresh user in token mode and returns its tokens. */
  async function signUpWithTokens(handle: string, password = "correct horse battery", clientName?: string) {
    const { call } = await caller({ "user-agent": "parley-test/1.0" });
    const result = await call.auth.signUp({
      handle,
      displayName: `User ${handle}`,
      password,
      mode: "token",
      clientName,
    });
    if (result.mode !== "token") throw new Error("expected token mode");
    return result;
  }

  async function close() {
    server.stop(true);
    redis.disconnect();
    await nats.close();
    await testDb.drop();
  }

  return {
    testDb,
    redis,
    nats,
    services: built,
    auth,
    config,
    server,
    baseUrl,
    caller,
    signUpWithTokens,
    close,
  };
}

/**
 * A real OIDC provider on loopback with one client registered for provider `id` of the harness at
 * `baseUrl`, and the config entry that lists it (pass it in the harness overrides).
 */
/** The auth harness of a test file, in one call (top-level await), closed after its last test. */
export const authFixture = (...args: Parameters<typeof startAuthHarness>) =>
  fileFixture(() => startAuthHarness(...args));

export async function startOidcProviderFor(
  baseUrl: string,
  id: string,
): Promise<{ provider: OidcTestProvider; config: OidcProviderConfig }> {
  const client = {
    clientId: `parley-${id}`,
    clientSecret: `secret-${crypto.randomUUID()}`,
    redirectUri: `${baseUrl}/api/auth/oidc/${id}/callback`,
  };
  const provider = await startOidcTestProvider([client]);
  const config = {
    id,
    issuer: provider.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    scopes: ["openid", "profile", "email"],
  };
  return { provider, config };
}

async function route(services: ApiServices, request: Request, ip: string | null): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/trpc")) {
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: ({ req, resHeaders }) =>
        createContext(services, { headers: req.headers, ip }, resHeaders),
    });
  }
  if (/^\/api\/auth\/oidc\/[^/]+\/start$/.test(pathname)) return services.auth.oidcStart(request, { ip });
  if (/^\/api\/auth\/oidc\/[^/]+\/callback$/.test(pathname))
    return services.auth.oidcCallback(request, { ip });
  return new Response("not found", { status: 404 });
}

/**
 * Every row of every table, as text: for "no secret in clear in the database" scans. A deliberate
 * full scan, so marked for the scatter guard.
 */
export async function dumpAllRows(harness: AuthHarness): Promise<string> {
  const db = harness.testDb.db;
  const [tables] = (await db.execute(sql.raw("SHOW TABLES /* vitess:shard-targeted */"))) as unknown as [
    Record<string, string>[],
  ];
  const chunks: string[] = [];
  for (const row of tables) {
    const table = Object.values(row)[0];
    if (!table) continue;
    const [rows] = (await db.execute(
      sql.raw(`SELECT * FROM \`${table}\` /* vitess:shard-targeted */`),
    )) as unknown as [unknown[]];
    chunks.push(`${table}: ${JSON.stringify(rows)}`);
  }
  return chunks.join("\n");
}
