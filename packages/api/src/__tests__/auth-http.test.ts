/**
 * Browser-style auth over real HTTP: the tRPC fetch adapter on Bun.serve, cookies, CSRF checks.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createAuthService } from "@parley/auth";
import { captureConsole, createTestAuthConfig, createTestIds } from "@parley/auth/testing";
import { schema } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { authFixture, dumpAllRows } from "./auth-harness";

const logs = captureConsole();
/** Every session cookie value this file sees; none may appear in the database or the logs. */
const cookieValues: string[] = [];
const h = await authFixture("authhttp");
afterAll(async () => {
  logs.restore();
});

const COOKIE = "parley_session";
type TrpcReply = {
  status: number;
  body: { result?: { data: unknown }; error?: { message: string } };
  setCookies: string[];
};

async function trpc(
  path: string,
  options: { input?: unknown; mutation?: boolean; headers?: Record<string, string> } = {},
): Promise<TrpcReply> {
  const url = new URL(`/api/trpc/${path}`, h.baseUrl);
  const init: RequestInit = { headers: { "content-type": "application/json", ...options.headers } };
  if (options.mutation) {
    init.method = "POST";
    init.body = JSON.stringify(options.input ?? null);
  } else if (options.input !== undefined) {
    url.searchParams.set("input", JSON.stringify(options.input));
  }
  const response = await fetch(url, init);
  return {
    status: response.status,
    body: (await response.json()) as TrpcReply["body"],
    setCookies: response.headers.getSetCookie(),
  };
}

const sameOrigin = () => ({ origin: h.baseUrl, "sec-fetch-site": "same-origin" });
const sessionFrom = (reply: TrpcReply) =>
  reply.setCookies
    .find((cookie) => cookie.startsWith(`${COOKIE}=`))
    ?.split(";")[0]
    ?.slice(COOKIE.length + 1);

async function signUpWithCookie(handle: string): Promise<{ cookie: string; userId: string }> {
  const reply = await trpc("auth.signUp", {
    mutation: true,
    input: { handle, displayName: handle, password: "a long enough password", mode: "cookie" },
    headers: { ...sameOrigin(), "user-agent": "Mozilla/5.0 (Macintosh; Mac OS X 14_0) Safari/605.1" },
  });
  expect(reply.status).toBe(200);
  const session = sessionFrom(reply);
  if (!session) throw new Error("no session cookie");
  cookieValues.push(session);
  const data = reply.body.result?.data as { userId: string };
  return { cookie: `${COOKIE}=${session}`, userId: data.userId };
}

describe("cookie sessions over HTTP", () => {
  test("cookie-mode sign-up sets an HttpOnly, SameSite=Lax session cookie and returns no tokens", async () => {
    const reply = await trpc("auth.signUp", {
      mutation: true,
      input: { handle: "lena", displayName: "Lena", password: "a long enough password", mode: "cookie" },
      headers: sameOrigin(),
    });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body.result?.data as object).sort()).toEqual(["clientId", "mode", "userId"]);
    const cookie = reply.setCookies.find((value) => value.startsWith(`${COOKIE}=`)) ?? "";
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure"); // development config; production is tested below
  });

  test("the cookie authenticates same-origin requests and names the browser client", async () => {
    const { cookie, userId } = await signUpWithCookie("mia");
    const me = await trpc("user.me", { headers: { ...sameOrigin(), cookie } });
    expect(me.status).toBe(200);
    expect(me.body.result?.data).toMatchObject({ id: userId, handle: "mia" });
    const clients = await trpc("user.clients", { headers: { ...sameOrigin(), cookie } });
    expect(clients.body.result?.data).toEqual([
      expect.objectContaining({ name: "Safari on macOS", kind: "browser", current: true }),
    ]);
  });

  test("a tampered session cookie is refused and cleared", async () => {
    const { cookie, userId } = await signUpWithCookie("nina");
    const last = cookie.at(-1) === "A" ? "B" : "A";
    const tampered = `${cookie.slice(0, -1)}${last}`;
    const reply = await trpc("user.me", { headers: { ...sameOrigin(), cookie: tampered } });
    expect(reply.status).toBe(401);
    expect(reply.body.error?.message).toBe("sign in required");
    expect(
      reply.setCookies.some((value) => value.startsWith(`${COOKIE}=;`) && value.includes("Max-Age=0")),
    ).toBe(true);
    // The same secret under another user id (another shard) does not work either.
    const [, secret] = cookie.split(".");
    const moved = `${COOKIE}=${BigInt(userId) + 1n}.${secret}`;
    expect((await trpc("user.me", { headers: { ...sameOrigin(), cookie: moved } })).status).toBe(401);
    // The genuine cookie still works.
    expect((await trpc("user.me", { headers: { ...sameOrigin(), cookie } })).status).toBe(200);
  });

  test("cookie-authenticated requests from another site are refused (Sec-Fetch-Site and Origin)", async () => {
    const { cookie } = await signUpWithCookie("olga");
    const other = await signUpWithCookie("olga2");
    const clientsBefore = await h.testDb.db
      .select()
      .from(schema.userClients)
      .where(eq(schema.userClients.userId, other.userId));
    const crossSite = await trpc("user.revokeClient", {
      mutation: true,
      input: { clientId: clientsBefore[0]?.clientId },
      headers: { cookie: other.cookie, "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error?.message).toBe("cross-site request refused");
    const sameSiteOtherOrigin = await trpc("auth.signOut", {
      mutation: true,
      headers: { cookie, "sec-fetch-site": "same-site", origin: "https://sub.example" },
    });
    expect(sameSiteOtherOrigin.status).toBe(403);
    // Older browsers: no Sec-Fetch-Site, only Origin.
    const byOrigin = await trpc("auth.signOut", {
      mutation: true,
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(byOrigin.status).toBe(403);
    // Nothing was revoked by those attempts.
    expect((await trpc("user.me", { headers: { ...sameOrigin(), cookie } })).status).toBe(200);
    expect((await trpc("user.me", { headers: { ...sameOrigin(), cookie: other.cookie } })).status).toBe(200);
    // A top-level navigation from a link elsewhere is a read and keeps the session.
    const navigation = await trpc("user.me", {
      headers: {
        cookie,
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
      },
    });
    expect(navigation.status).toBe(200);
  });

  test("cookie-mode sign-in from another site is refused before anything is created (login CSRF)", async () => {
    const { userId } = await signUpWithCookie("pia");
    const countClients = async () =>
      (await h.testDb.db.select().from(schema.userClients).where(eq(schema.userClients.userId, userId)))
        .length;
    const before = await countClients();
    const reply = await trpc("auth.signIn", {
      mutation: true,
      input: { handle: "pia", password: "a long enough password", mode: "cookie" },
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    });
    expect(reply.status).toBe(403);
    expect(reply.setCookies).toEqual([]);
    expect(await countClients()).toBe(before);
    // Token mode is not ambient, so cross-origin apps (mobile webviews, CLIs) may use it.
    const tokens = await trpc("auth.signIn", {
      mutation: true,
      input: { handle: "pia", password: "a long enough password", mode: "token" },
      headers: { origin: "https://elsewhere.example" },
    });
    expect(tokens.status).toBe(200);
  });

  test("sign-out clears the cookie and the session stops working at once", async () => {
    const { cookie } = await signUpWithCookie("quinn");
    const reply = await trpc("auth.signOut", { mutation: true, headers: { ...sameOrigin(), cookie } });
    expect(reply.status).toBe(200);
    expect(
      reply.setCookies.some((value) => value.startsWith(`${COOKIE}=;`) && value.includes("Max-Age=0")),
    ).toBe(true);
    expect((await trpc("user.me", { headers: { ...sameOrigin(), cookie } })).status).toBe(401);
  });

  test("sliding expiry: a session past half its life is extended and the cookie re-sent", async () => {
    const { cookie, userId } = await signUpWithCookie("rosa");
    const soon = new Date(Date.now() + 24 * 60 * 60 * 1000);
    await h.testDb.db
      .update(schema.clientSessions)
      .set({ expiresAt: soon })
      .where(and(eq(schema.clientSessions.userId, userId), eq(schema.clientSessions.kind, "session")));
    const reply = await trpc("user.me", { headers: { ...sameOrigin(), cookie } });
    expect(reply.status).toBe(200);
    const renewed = reply.setCookies.find((value) => value.startsWith(`${COOKIE}=`)) ?? "";
    const maxAge = Number(/Max-Age=(\d+)/.exec(renewed)?.[1]);
    expect(maxAge).toBeGreaterThan(h.config.sessionTtlSeconds - 60);
    const [row] = await h.testDb.db
      .select({ expiresAt: schema.clientSessions.expiresAt })
      .from(schema.clientSessions)
      .where(and(eq(schema.clientSessions.userId, userId), eq(schema.clientSessions.kind, "session")));
    expect(row?.expiresAt.getTime()).toBeGreaterThan(soon.getTime() + 24 * 60 * 60 * 1000);
    // An expired session is refused.
    await h.testDb.db
      .update(schema.clientSessions)
      .set({ expiresAt: sql`NOW(3) - INTERVAL 1 SECOND` })
      .where(and(eq(schema.clientSessions.userId, userId), eq(schema.clientSessions.kind, "session")));
    expect((await trpc("user.me", { headers: { ...sameOrigin(), cookie } })).status).toBe(401);
  });

  test("production cookies are Secure and __Host- prefixed", async () => {
    const config = await createTestAuthConfig({ appUrl: "https://parley.example", secureCookies: true });
    const auth = createAuthService(config, {
      db: h.testDb.db,
      redis: h.redis,
      events: h.nats.events,
      ids: createTestIds(),
    });
    const result = await auth.signUp(
      { handle: "sam", displayName: "Sam", password: "a long enough password" },
      { mode: "cookie", headers: new Headers({ origin: "https://parley.example" }), ip: null },
    );
    expect(result.setCookie).toStartWith("__Host-parley_session=");
    expect(result.setCookie).toContain("; Secure");
    expect(result.setCookie).toContain("Path=/;");
  });

  test("session cookies and passwords never appear in clear in the database or the logs", async () => {
    expect(cookieValues.length).toBeGreaterThan(5);
    const rows = await dumpAllRows(h);
    const needles = [
      "a long enough password",
      ...cookieValues,
      ...cookieValues.map((value) => value.split(".")[1] ?? value),
    ];
    for (const needle of needles) {
      expect(rows.includes(needle)).toBe(false);
      expect(logs.text().includes(needle)).toBe(false);
    }
  });

  test("no statement scattered across shards", () => {
    expect(h.testDb.statements.size).toBeGreaterThan(5);
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
