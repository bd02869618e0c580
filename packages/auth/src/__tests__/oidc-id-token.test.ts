/**
 * The callback's ID-token checks, driven through the real start/callback handlers against a scripted
 * provider (discovery, JWKS and token endpoint on Bun.serve) whose ID tokens are built with jose:
 * every forged or mismatched token is refused with its own error code and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  type TestDatabase,
} from "@parley/testkit";
import { sql } from "drizzle-orm";
import Redis from "ioredis";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { type AuthService, createAuthService } from "../service";
import { connectTestPublisher, createTestAuthConfig, createTestIds } from "../testing";

const APP = "http://app.test";
const CLIENT_ID = "parley-client";
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

let testDb: TestDatabase;
let redis: Redis;
let nats: Awaited<ReturnType<typeof connectTestPublisher>>;
let auth: AuthService;
let providerKey: KeyPair;
let attackerKey: KeyPair;
let issuer = "";
let server: ReturnType<typeof Bun.serve>;
/** What the scripted token endpoint returns as id_token for the current test (gets the flow's nonce). */
let mintIdToken: (nonce: string) => Promise<string> = async () => "";
let lastNonce = "";

beforeAll(async () => {
  await requireRedis();
  await requireNats();
  testDb = await createTestDatabase("authidtok");
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  nats = await connectTestPublisher(TEST_NATS_URL);
  providerKey = await generateKeyPair("ES256");
  attackerKey = await generateKeyPair("ES256");
  const publicJwk = { ...(await exportJWK(providerKey.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/.well-known/openid-configuration") {
        return Response.json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
        });
      }
      if (pathname === "/jwks") return Response.json({ keys: [publicJwk] });
      if (pathname === "/token") {
        return Response.json({
          access_token: "at",
          token_type: "Bearer",
          expires_in: 60,
          id_token: await mintIdToken(lastNonce),
        });
      }
      return new Response("not found", { status: 404 });
    },
  });
  issuer = `http://127.0.0.1:${server.port}`;
  const config = await createTestAuthConfig({
    appUrl: APP,
    oidcProviders: [
      { id: "scripted", issuer, clientId: CLIENT_ID, clientSecret: "s3cret", scopes: ["openid"] },
    ],
  });
  auth = createAuthService(config, { db: testDb.db, redis, events: nats.events, ids: createTestIds() });
});

afterAll(async () => {
  server?.stop(true);
  redis?.disconnect();
  await nats?.close();
  await testDb?.drop();
});

function claims(nonce: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: CLIENT_ID, sub: "subject-1", nonce, iat: now, exp: now + 300, ...overrides };
}

function sign(payload: JWTPayload, key = providerKey.privateKey, kid = "k1") {
  return new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid }).sign(key);
}

/** start → (provider skipped: the token endpoint is scripted) → callback; returns the landing URL. */
async function signIn(options: { tamperState?: boolean } = {}): Promise<{ url: URL; cookies: string[] }> {
  const started = await auth.oidcStart(new Request(`${APP}/api/auth/oidc/scripted/start`));
  expect(started.status).toBe(302);
  const authorize = new URL(started.headers.get("location") ?? "");
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  const state = authorize.searchParams.get("state") ?? "";
  lastNonce = authorize.searchParams.get("nonce") ?? "";
  const stateCookie = started.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  const callbackState = options.tamperState ? `${state}x` : state;
  const callback = await auth.oidcCallback(
    new Request(`${APP}/api/auth/oidc/scripted/callback?code=c0de&state=${callbackState}`, {
      headers: { cookie: stateCookie },
    }),
  );
  expect(callback.status).toBe(302);
  return { url: new URL(callback.headers.get("location") ?? ""), cookies: callback.headers.getSetCookie() };
}

async function countAll(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["users", "user_handles", "auth_identities", "user_clients", "client_sessions"]) {
    const [rows] = (await testDb.db.execute(
      sql.raw(`SELECT COUNT(*) AS n FROM ${table} /* vitess:shard-targeted */`),
    )) as unknown as [{ n: number | string }[]];
    counts[table] = Number(rows[0]?.n);
  }
  return counts;
}

const NOTHING = { users: 0, user_handles: 0, auth_identities: 0, user_clients: 0, client_sessions: 0 };

describe("ID token verification in the OIDC callback", () => {
  const cases: [string, string, (nonce: string) => Promise<string>][] = [
    [
      "forged (payload altered after signing)",
      "id_token_signature",
      async (nonce) => {
        const [header, , signature] = (await sign(claims(nonce))).split(".");
        const altered = Buffer.from(JSON.stringify(claims(nonce, { sub: "admin" }))).toString("base64url");
        return `${header}.${altered}.${signature}`;
      },
    ],
    [
      "unsigned (alg none)",
      "id_token_signature",
      async (nonce) => {
        const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
        return `${header}.${Buffer.from(JSON.stringify(claims(nonce))).toString("base64url")}.`;
      },
    ],
    [
      "signed by another key under the provider's kid",
      "id_token_signature",
      (nonce) => sign(claims(nonce), attackerKey.privateKey),
    ],
    [
      "expired",
      "id_token_expired",
      (nonce) =>
        sign(
          claims(nonce, {
            iat: Math.floor(Date.now() / 1000) - 3600,
            exp: Math.floor(Date.now() / 1000) - 600,
          }),
        ),
    ],
    ["for another audience", "id_token_audience", (nonce) => sign(claims(nonce, { aud: "someone-else" }))],
    [
      "from another issuer",
      "id_token_issuer",
      (nonce) => sign(claims(nonce, { iss: "https://evil.example" })),
    ],
    ["with another flow's nonce", "nonce_mismatch", () => sign(claims("a-nonce-from-elsewhere"))],
    ["without a nonce", "nonce_mismatch", () => sign(claims("", { nonce: undefined }))],
  ];

  for (const [name, code, mint] of cases) {
    test(`an ID token ${name} is refused as ${code}; nothing is created`, async () => {
      mintIdToken = mint;
      const { url, cookies } = await signIn();
      expect(url.pathname).toBe("/sign-in");
      expect(url.searchParams.get("error")).toBe(code);
      expect(cookies.some((cookie) => cookie.startsWith("parley_session="))).toBe(false);
      expect(await countAll()).toEqual(NOTHING);
    });
  }

  test("a state that does not match the browser's cookie is refused; nothing is created", async () => {
    mintIdToken = (nonce) => sign(claims(nonce));
    const { url } = await signIn({ tamperState: true });
    expect(url.searchParams.get("error")).toBe("state_mismatch");
    expect(await countAll()).toEqual(NOTHING);
  });

  test("the same scripted provider with a correct token signs in (the harness can succeed)", async () => {
    mintIdToken = (nonce) => sign(claims(nonce, { preferred_username: "Scripted.User" }));
    const { url, cookies } = await signIn();
    expect(url.toString()).toBe(`${APP}/`);
    expect(cookies.some((cookie) => cookie.startsWith("parley_session="))).toBe(true);
    expect(await countAll()).toEqual({
      users: 1,
      user_handles: 1,
      auth_identities: 1,
      user_clients: 1,
      client_sessions: 1,
    });
  });

  test("no statement scattered across shards", () => {
    expect(testDb.scatterStatements()).toEqual([]);
  });
});
