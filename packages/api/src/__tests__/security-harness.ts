/**
 * Setup for the security tests: a fresh database, real Redis and NATS, the real UAA inside real
 * ApiServices, the *whole* appRouter (not a subset) behind createContext, and the real fetch adapter
 * on Bun.serve so requests carry real headers (cookies, Sec-Fetch-*, Origin).
 */
import { type AuthConfig, createAuthService } from "@parley/auth";
import { connectTestPublisher, createTestAuthConfig, createTestIds } from "@parley/auth/testing";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "@parley/testkit";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import Redis from "ioredis";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

const createCaller = createCallerFactory(appRouter);
export type SecurityCaller = ReturnType<typeof createCaller>;
export type SecurityHarness = Awaited<ReturnType<typeof startSecurityHarness>>;

export const PASSWORD = "correct horse battery staple";

export async function startSecurityHarness(
  label: string,
  overrides: Partial<AuthConfig> | ((baseUrl: string) => Promise<Partial<AuthConfig>>) = {},
) {
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
  const built: ApiServices = {
    db: testDb.db,
    redis,
    events: nats.events,
    ids,
    auth,
    resolveViewer: auth.resolveViewer,
    isClientRevoked: auth.isClientRevoked,
    messaging: {
      readRateLimit: { max: 1_000_000, windowMs: 10_000 },
      sendRateLimit: { max: 1_000_000, windowMs: 10_000 },
    },
  };
  services = built;

  /** A caller for one request with these headers, through the real createContext. */
  async function caller(headers: Record<string, string> = {}, ip: string | null = "127.0.0.1") {
    const ctx = await createContext(built, { headers: new Headers(headers), ip }, new Headers());
    return createCaller(ctx);
  }

  /** A fresh user signed up in token mode, with a bearer caller. */
  async function user(handle: string) {
    const anonymous = await caller({ "user-agent": "parley-security-test" });
    const signedUp = await anonymous.auth.signUp({
      handle,
      displayName: `User ${handle}`,
      password: PASSWORD,
      mode: "token",
    });
    if (signedUp.mode !== "token") throw new Error("expected token mode");
    const call = await caller({ authorization: `Bearer ${signedUp.accessToken}` });
    return { ...signedUp, call, bearer: { authorization: `Bearer ${signedUp.accessToken}` } };
  }

  async function close() {
    server.stop(true);
    redis.disconnect();
    await nats.close();
    await testDb.drop();
  }

  return { testDb, redis, services: built, auth, config, baseUrl, caller, user, close };
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
  if (/^\/api\/auth\/oidc\/[^/]+\/start$/.test(pathname)) return services.auth.oidcStart(request);
  if (/^\/api\/auth\/oidc\/[^/]+\/callback$/.test(pathname)) return services.auth.oidcCallback(request);
  return new Response("not found", { status: 404 });
}

/** The error a rejected promise carries, or null when it resolved. */
export async function failure(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    () => null,
    (caught: unknown) => caught,
  );
}
