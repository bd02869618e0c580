/**
 * OpenID Connect end to end: two real providers (oidc-provider) on loopback, a cookie-jar browser
 * driving start → provider login → consent → callback → session cookie → user.me over HTTP.
 */
import { afterAll, describe, expect, test } from "bun:test";
import {
  captureConsole,
  createTestBrowser,
  type OidcTestProvider,
  startOidcTestProvider,
  type TestBrowser,
} from "@parley/auth/testing";
import { schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { authFixture, dumpAllRows } from "./auth-harness";

const providers: OidcTestProvider[] = [];
const logs = captureConsole();
/** Client secrets and session cookies seen here; none may reach the database or the logs. */
const secrets: string[] = [];

const h = await authFixture("authoidc", async (baseUrl) => {
  const configs = [];
  for (const id of ["alpha", "beta"]) {
    const client = {
      clientId: `parley-${id}`,
      clientSecret: `secret-${id}-${crypto.randomUUID()}`,
      redirectUri: `${baseUrl}/api/auth/oidc/${id}/callback`,
    };
    const provider = await startOidcTestProvider([client]);
    providers.push(provider);
    secrets.push(client.clientSecret);
    configs.push({
      id,
      name: id.toUpperCase(),
      issuer: provider.issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scopes: ["openid", "profile", "email"],
    });
  }
  return { oidcProviders: configs };
});
afterAll(async () => {
  logs.restore();
  await Promise.all(providers.map((provider) => provider.close()));
});

const startUrl = (provider: string, returnTo = "/chats") =>
  `${h.baseUrl}/api/auth/oidc/${provider}/start?returnTo=${encodeURIComponent(returnTo)}`;
const isCallback = (url: string) =>
  url.startsWith(`${h.baseUrl}/api/auth/oidc/`) && url.includes("/callback");

async function me(browser: TestBrowser) {
  const response = await browser.fetch(`${h.baseUrl}/api/trpc/user.me`, {
    headers: { origin: h.baseUrl, "sec-fetch-site": "same-origin" },
  });
  return {
    status: response.status,
    body: (await response.json()) as { result?: { data: { id: string; handle: string } } },
  };
}

async function countRows() {
  const [identities, clients] = await Promise.all([
    h.testDb.db
      .select()
      .from(schema.authIdentities)
      .where(
        // Both providers' issuers: each lookup pins the (issuer, subject) vindex.
        and(
          eq(schema.authIdentities.issuer, providers[0]?.issuer ?? ""),
          eq(schema.authIdentities.subject, "alice-oidc"),
        ),
      ),
    aliceUserId
      ? h.testDb.db.select().from(schema.userClients).where(eq(schema.userClients.userId, aliceUserId))
      : [],
  ]);
  return { identities: identities.length, clients: clients.length };
}

let aliceUserId: string | null = null;

/** Runs the browser through the provider until our callback URL, without delivering it. */
async function reachCallback(browser: TestBrowser, provider = "alpha", login = "alice-oidc") {
  const result = await browser.navigate(startUrl(provider), { login, stopAt: isCallback });
  expect(isCallback(result.url)).toBe(true);
  return result.url;
}

/** Delivers a callback URL to our server and returns where it redirects. */
async function deliver(browser: TestBrowser, url: string) {
  const response = await browser.fetch(url, {
    headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
  });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "", url);
}

describe("OIDC sign-in with a real provider", () => {
  test("the full browser flow signs a user in with a session cookie", async () => {
    const browser = createTestBrowser();
    const result = await browser.navigate(startUrl("alpha"), { login: "alice-oidc" });
    // start → provider → login form → consent form → callback → back to returnTo on our app.
    expect(result.visited.some((url) => url.includes("/interaction/"))).toBe(true);
    expect(result.visited.some(isCallback)).toBe(true);
    expect(result.url).toBe(`${h.baseUrl}/chats`);
    const session = browser.cookie(h.baseUrl, "parley_session");
    expect(session).toBeString();
    secrets.push(session ?? "", session?.split(".")[1] ?? "");
    const reply = await me(browser);
    expect(reply.status).toBe(200);
    expect(reply.body.result?.data.handle).toBe("alice-oidc");
    aliceUserId = reply.body.result?.data.id ?? null;
    const [identity] = await h.testDb.db
      .select()
      .from(schema.authIdentities)
      .where(
        and(
          eq(schema.authIdentities.issuer, providers[0]?.issuer ?? ""),
          eq(schema.authIdentities.subject, "alice-oidc"),
        ),
      );
    expect(identity).toMatchObject({ userId: aliceUserId, email: "alice-oidc@example.test" });
  });

  test("a second login by the same identity lands on the same user, as a new client", async () => {
    const browser = createTestBrowser();
    const result = await browser.navigate(startUrl("alpha", "/"), { login: "alice-oidc" });
    expect(result.url).toBe(`${h.baseUrl}/`);
    const reply = await me(browser);
    expect(reply.body.result?.data.id).toBe(aliceUserId ?? "missing");
    expect((await countRows()).clients).toBe(2);
  });

  test("a second provider is configured at the same time; its identities are its own", async () => {
    const browser = createTestBrowser();
    const result = await browser.navigate(startUrl("beta"), { login: "alice-oidc" });
    expect(result.url).toBe(`${h.baseUrl}/chats`);
    const reply = await me(browser);
    expect(reply.status).toBe(200);
    // Same subject at another issuer is another identity, so another user (with a free handle).
    expect(reply.body.result?.data.id).not.toBe(aliceUserId ?? "missing");
    expect(reply.body.result?.data.handle).toStartWith("alice-oidc");
    expect(h.auth.oidcProviders).toEqual([
      { id: "alpha", name: "ALPHA" },
      { id: "beta", name: "BETA" },
    ]);
  });

  test("state mismatch is refused with a clear error and nothing is created", async () => {
    const before = await countRows();
    const browser = createTestBrowser();
    const callback = new URL(await reachCallback(browser));
    callback.searchParams.set("state", "forged-state");
    const landed = await deliver(browser, callback.toString());
    expect(landed.pathname).toBe("/sign-in");
    expect(landed.searchParams.get("error")).toBe("state_mismatch");
    // A callback delivered to a browser that never started the flow (no state cookie) is refused too.
    const other = createTestBrowser();
    const stolen = await reachCallback(createTestBrowser());
    expect((await deliver(other, stolen)).searchParams.get("error")).toBe("state_mismatch");
    expect(other.cookie(h.baseUrl, "parley_session")).toBeUndefined();
    expect(await countRows()).toEqual(before);
  });

  test("a reused authorization code is refused and nothing is created", async () => {
    const browser = createTestBrowser();
    const callback = await reachCallback(browser);
    expect((await deliver(browser, callback)).pathname).toBe("/chats");
    const before = await countRows();
    // Replaying the same callback: the state cookie is gone, and even with it restored the flow is
    // single use.
    const replay = createTestBrowser();
    const code = new URL(callback).searchParams.get("code") ?? "";
    expect((await deliver(browser, callback)).searchParams.get("error")).toBe("state_mismatch");
    browser.setCookie(h.baseUrl, "parley_oidc_state", new URL(callback).searchParams.get("state") ?? "");
    expect((await deliver(browser, callback)).searchParams.get("error")).toBe("flow_expired");
    // The old code inside a fresh, valid flow: the provider refuses the spent code.
    const fresh = new URL(await reachCallback(replay));
    fresh.searchParams.set("code", code);
    const landed = await deliver(replay, fresh.toString());
    expect(landed.searchParams.get("error")).toBe("code_rejected");
    expect(replay.cookie(h.baseUrl, "parley_session")).toBeUndefined();
    expect(await countRows()).toEqual(before);
  });

  test("unknown providers and provider errors are refused", async () => {
    const browser = createTestBrowser();
    const unknown = await browser.fetch(`${h.baseUrl}/api/auth/oidc/gamma/start`);
    expect(new URL(unknown.headers.get("location") ?? "", h.baseUrl).searchParams.get("error")).toBe(
      "unknown_provider",
    );
    const denied = await browser.fetch(
      `${h.baseUrl}/api/auth/oidc/alpha/callback?error=access_denied&state=x`,
    );
    expect(new URL(denied.headers.get("location") ?? "", h.baseUrl).searchParams.get("error")).toBe(
      "provider_error",
    );
  });

  test("client secrets and session cookies never appear in the database or the logs", async () => {
    const rows = await dumpAllRows(h);
    expect(rows).toContain("auth_identities");
    expect(secrets.filter(Boolean).length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets.filter(Boolean)) {
      expect(rows.includes(secret)).toBe(false);
      expect(logs.text().includes(secret)).toBe(false);
    }
  });

  test("no statement scattered across shards", () => {
    expect(h.testDb.statements.size).toBeGreaterThan(5);
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
