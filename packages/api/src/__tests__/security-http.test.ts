/**
 * Browser-facing security over real HTTP: CSRF on cookie-authenticated mutations (including a
 * same-site form POST, which is a navigation), open redirects in the OIDC flow, opaque INTERNAL
 * errors wherever they are raised, and sign-in that does not reveal whether a handle exists.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createAuthService } from "@parley/auth";
import {
  captureConsole,
  createTestAuthConfig,
  createTestBrowser,
  type OidcTestProvider,
} from "@parley/auth/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";
import { startOidcProviderFor } from "./auth-harness";
import { PASSWORD, securityFixture } from "./security-harness";

let provider: OidcTestProvider;
const logs = captureConsole();

const h = await securityFixture("sechttp", async (baseUrl) => {
  const started = await startOidcProviderFor(baseUrl, "sec");
  provider = started.provider;
  return { oidcProviders: [started.config] };
});
afterAll(async () => {
  logs.restore();
  await provider?.close();
});

const COOKIE = "parley_session";
const sameOrigin = () => ({ origin: h.baseUrl, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" });
/** What a browser sends for `<form method=post>` submitted from a sibling subdomain. */
const sameSiteFormNavigation = {
  origin: "https://files.example",
  "sec-fetch-site": "same-site",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
};

async function post(path: string, init: { headers: Record<string, string>; body: BodyInit; json?: boolean }) {
  const headers = new Headers(init.headers);
  if (init.json) headers.set("content-type", "application/json");
  const response = await fetch(new URL(`/api/trpc/${path}`, h.baseUrl), {
    method: "POST",
    headers,
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, text, setCookies: response.headers.getSetCookie() };
}

async function signUpWithCookie(handle: string): Promise<{ cookie: string; userId: string }> {
  const reply = await post("auth.signUp", {
    json: true,
    headers: sameOrigin(),
    body: JSON.stringify({ handle, displayName: handle, password: PASSWORD, mode: "cookie" }),
  });
  expect(reply.status).toBe(200);
  const session = reply.setCookies
    .find((cookie) => cookie.startsWith(`${COOKIE}=`))
    ?.split(";")[0]
    ?.slice(COOKIE.length + 1);
  if (!session) throw new Error("no session cookie");
  return {
    cookie: `${COOKIE}=${session}`,
    userId: (JSON.parse(reply.text).result.data as { userId: string }).userId,
  };
}

async function me(cookie: string): Promise<number> {
  const response = await fetch(new URL("/api/trpc/user.me", h.baseUrl), {
    headers: { ...sameOrigin(), cookie },
  });
  return response.status;
}

describe("CSRF: every cookie-authenticated mutation must come from our own origin", () => {
  test("a same-site <form method=post> (multipart) cannot sign the user out", async () => {
    const { cookie } = await signUpWithCookie("csrf-signout");
    const form = new FormData();
    form.set("anything", "1");
    const reply = await post("auth.signOut", { headers: { ...sameSiteFormNavigation, cookie }, body: form });
    expect(reply.status).toBe(403);
    expect(await me(cookie)).toBe(200);
  });

  test("a navigation-shaped mutation is refused on every cookie-authenticated mutation", async () => {
    const { cookie } = await signUpWithCookie("csrf-create");
    for (const [path, input] of [
      ["dialog.createGroup", { title: "planted", memberIds: [] }],
      ["auth.realtimeToken", null],
      ["auth.signOut", null],
    ] as const) {
      const reply = await post(path, {
        json: true,
        headers: { ...sameSiteFormNavigation, cookie },
        body: JSON.stringify(input),
      });
      expect({ path, status: reply.status }).toEqual({ path, status: 403 });
    }
    const inbox = await fetch(new URL("/api/trpc/dialog.list", h.baseUrl), {
      headers: { ...sameOrigin(), cookie },
    });
    expect(JSON.parse(await inbox.text()).result.data.items).toEqual([]);
    expect(await me(cookie)).toBe(200);
    // The same mutation from our own origin works.
    const ok = await post("dialog.createGroup", {
      json: true,
      headers: { ...sameOrigin(), cookie },
      body: JSON.stringify({ title: "mine", memberIds: [] }),
    });
    expect(ok.status).toBe(200);
  });

  test("cookie-mode sign-in shaped as a cross-site navigation is refused (login CSRF)", async () => {
    await signUpWithCookie("csrf-login");
    const reply = await post("auth.signIn", {
      json: true,
      headers: { ...sameSiteFormNavigation, "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      body: JSON.stringify({ handle: "csrf-login", password: PASSWORD, mode: "cookie" }),
    });
    expect(reply.status).toBe(403);
    expect(reply.setCookies).toEqual([]);
  });

  test("reads by top-level navigation still work (a link from elsewhere)", async () => {
    const { cookie } = await signUpWithCookie("csrf-read");
    const response = await fetch(new URL("/api/trpc/user.me", h.baseUrl), {
      headers: {
        cookie,
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
      },
    });
    expect(response.status).toBe(200);
  });
});

describe("OIDC returnTo: no open redirect", () => {
  const isCallback = (url: string) => url.startsWith(`${h.baseUrl}/api/auth/oidc/sec/callback`);

  for (const returnTo of [
    "/\t/evil.example/",
    "/\n/evil.example/",
    "https://evil.example/",
    "//evil.example",
  ]) {
    test(`returnTo ${JSON.stringify(returnTo)} lands on our own origin`, async () => {
      const browser = createTestBrowser();
      const start = `${h.baseUrl}/api/auth/oidc/sec/start?returnTo=${encodeURIComponent(returnTo)}`;
      const started = await browser.fetch(start);
      expect(started.status).toBe(302);
      const stateCookie = started.headers
        .getSetCookie()
        .find((cookie) => cookie.startsWith("parley_oidc_state="));
      expect(stateCookie).toMatch(/HttpOnly/);
      expect(stateCookie).toMatch(/SameSite=Lax/);
      expect(stateCookie).toMatch(/Path=\/api\/auth\/oidc/);
      // Through the provider to our callback, then one more hop: wherever the callback sends us.
      const atCallback = await browser.navigate(start, {
        login: `ret${Math.random().toString(36).slice(2, 8)}`,
        stopAt: isCallback,
      });
      expect(isCallback(atCallback.url)).toBe(true);
      const landed = await browser.fetch(atCallback.url, {
        headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
      });
      expect(landed.status).toBe(302);
      const location = new URL(landed.headers.get("location") ?? "", atCallback.url);
      expect(location.origin).toBe(h.baseUrl);
      expect(location.pathname).toBe("/");
      expect(browser.cookie(h.baseUrl, COOKIE)).toBeString();
    });
  }
});

describe("errors never leak driver messages, SQL or stacks", () => {
  const DRIVER_MESSAGE =
    "Failed query: select * from `client_sessions` where `token_hash` = ? params: 9f86d081884c7d65 ER_NO_SUCH_TABLE";

  async function call(
    router: typeof appRouter | ReturnType<typeof createTRPCRouter>,
    services: ApiServices,
    path: string,
    init: RequestInit = {},
  ) {
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`http://127.0.0.1/api/trpc/${path}`, init),
      router,
      createContext: ({ req, resHeaders }) =>
        createContext(services, { headers: req.headers, ip: null }, resHeaders),
    });
    return { status: response.status, text: await response.text() };
  }

  test("a database failure while resolving the viewer (in createContext) is an opaque 500", async () => {
    const broken: ApiServices = {
      ...h.services,
      resolveViewer: async () => {
        throw new Error(DRIVER_MESSAGE);
      },
    };
    const reply = await call(appRouter, broken, "user.me", { headers: { cookie: `${COOKIE}=1.x` } });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text).error.message).toBe("internal error");
    expect(reply.text).not.toMatch(/select|client_sessions|ER_NO_SUCH_TABLE|token_hash|at /i);
  });

  test("raw errors in procedures and output validation failures are opaque", async () => {
    const router = createTRPCRouter({
      raw: publicProcedure.query(() => {
        throw Object.assign(new Error(DRIVER_MESSAGE), { sql: "select secret from t", errno: 1146 });
      }),
      output: publicProcedure.output(z.object({ id: z.string() })).query(() => ({ id: 42 }) as never),
      bad: protectedProcedure.input(z.object({ n: z.number().int() })).query(() => 1),
    });
    for (const path of ["raw", "output"]) {
      const reply = await call(router, h.services, path);
      expect({ path, status: reply.status }).toEqual({ path, status: 500 });
      const body = JSON.parse(reply.text);
      expect({ path, message: body.error.message, issues: body.error.data.zodIssues }).toEqual({
        path,
        message: "internal error",
        issues: undefined,
      });
      expect(reply.text).not.toMatch(/select|client_sessions|ER_NO_SUCH_TABLE|Output validation|"id"/i);
    }
    // The log names the failure without the statement's values.
    const secretValue = `argon2-hash-${crypto.randomUUID()}`;
    const failing = createTRPCRouter({
      query: publicProcedure.query(async () => {
        await h.testDb.db.execute(sql`SELECT secret FROM no_such_table WHERE password_hash = ${secretValue}`);
        return 1;
      }),
    });
    const failed = await call(failing, h.services, "query");
    expect(failed.status).toBe(500);
    expect(failed.text).not.toContain(secretValue);
    expect(failed.text).not.toMatch(/no_such_table/);
    expect(logs.text()).toContain("no_such_table");
    expect(logs.text()).not.toContain(secretValue);
    // Bad input, on the other hand, says what was wrong.
    const { accessToken } = (await h.user("errors-user")) as { accessToken: string };
    const bad = await call(
      router,
      h.services,
      `bad?input=${encodeURIComponent(JSON.stringify({ n: 1.5 }))}`,
      {
        headers: { authorization: `Bearer ${accessToken}` },
      },
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.data.zodIssues[0].path).toEqual(["n"]);
  });
});

describe("sign-in does not reveal whether a handle exists", () => {
  test("same message and the same argon2 work for an unknown handle, from the very first request", async () => {
    // A fresh UAA, as right after a deploy. Wall-clock comparisons flake on a busy machine, so this
    // counts what dominates the time: argon2 hashes and verifications per sign-in.
    const config = await createTestAuthConfig({ appUrl: h.baseUrl });
    const auth = createAuthService(config, {
      db: h.services.db,
      redis: h.services.redis,
      events: h.services.events,
      ids: h.services.ids,
    });
    await h.user("timing-known");
    const password = Bun.password as { hash: typeof Bun.password.hash; verify: typeof Bun.password.verify };
    const original = { hash: password.hash, verify: password.verify };
    const counts = { hash: 0, verify: 0 };
    password.hash = (...args) => {
      counts.hash++;
      return original.hash.apply(Bun.password, args);
    };
    password.verify = (...args) => {
      counts.verify++;
      return original.verify.apply(Bun.password, args);
    };
    const request = { mode: "token" as const, headers: new Headers(), ip: null };
    const attempt = async (handle: string) => {
      counts.hash = 0;
      counts.verify = 0;
      const started = performance.now();
      const error = await auth.signIn({ handle, password: "definitely wrong password" }, request).then(
        () => null,
        (caught: unknown) => caught as Error,
      );
      return { message: error?.message, ms: performance.now() - started, argon2: { ...counts } };
    };
    try {
      await Bun.sleep(300); // start-up work (preparing the dummy hash) is not a sign-in's cost
      const firstUnknown = await attempt(`nobody-${crypto.randomUUID().slice(0, 8)}`);
      const known = await attempt("timing-known");
      const unknown = await attempt(`nobody-${crypto.randomUUID().slice(0, 8)}`);
      expect(known).toMatchObject({ message: "wrong handle or password", argon2: { hash: 0, verify: 1 } });
      expect(firstUnknown).toMatchObject({ message: known.message, argon2: known.argon2 });
      expect(unknown).toMatchObject({ message: known.message, argon2: known.argon2 });
    } finally {
      password.hash = original.hash;
      password.verify = original.verify;
    }
  });

  test("no secret reached the logs", () => {
    expect(logs.text()).not.toContain(PASSWORD);
  });
});
