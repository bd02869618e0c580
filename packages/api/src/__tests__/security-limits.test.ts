/**
 * Abuse budgets in Redis, each shared by every API process: sign-ups per client IP, new clients per
 * user (password and OIDC sign-ins, not tabs), and user.byHandle lookups per client and per user.
 * Each test runs two API instances (their own Redis connection and UAA) against one Redis and one
 * database, with small limits and windows of an hour, so nothing depends on timing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AuthConfig, createAuthService, windowKey } from "@parley/auth";
import { createTestBrowser, type OidcTestProvider } from "@parley/auth/testing";
import type { LookupRateLimit } from "@parley/core";
import { TEST_REDIS_URL } from "@parley/testkit";
import { TRPCError } from "@trpc/server";
import Redis from "ioredis";
import { assembleApiServices } from "../assemble-services";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";
import { authFixture, startOidcProviderFor } from "./auth-harness";
import { failure } from "./security-harness";

const HOUR_SECONDS = 60 * 60;
const PASSWORD = "correct horse battery staple";
const SIGN_UPS_PER_IP = 3;
const CLIENTS_PER_USER = 4;
const LOOKUPS: LookupRateLimit = { perClientMax: 3, perUserMax: 5, windowMs: HOUR_SECONDS * 1000 };
/** The harness's own UAA serves the OIDC routes; its budget of new clients per user. */
const OIDC_CLIENTS_PER_USER = 2;
/**
 * Its sign-up budget: OIDC requests all come from loopback, so this file owns the loopback counter by
 * giving it a window length no other file uses (the window is part of the key) and clearing it first.
 */
const OIDC_SIGN_UPS_PER_IP = 2;
const OIDC_SIGN_UP_WINDOW_SECONDS = HOUR_SECONDS + 7;

const createCaller = createCallerFactory(appRouter);

let provider: OidcTestProvider;
let one: Instance;
let two: Instance;

const h = await authFixture("seclimits", async (baseUrl) => {
  const started = await startOidcProviderFor(baseUrl, "lim");
  provider = started.provider;
  return {
    oidcProviders: [started.config],
    newClientRateLimit: { maxPerUser: OIDC_CLIENTS_PER_USER, windowSeconds: HOUR_SECONDS },
    signUpRateLimit: { maxPerIp: OIDC_SIGN_UPS_PER_IP, windowSeconds: OIDC_SIGN_UP_WINDOW_SECONDS },
  };
});

beforeAll(async () => {
  one = startInstance();
  two = startInstance();
});
afterAll(async () => {
  one?.close();
  two?.close();
  await provider?.close();
});

type Instance = ReturnType<typeof startInstance>;

/** One more API process as far as the limits can tell: its own Redis connection, UAA and services. */
function startInstance() {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const config: AuthConfig = {
    ...h.config,
    signUpRateLimit: { maxPerIp: SIGN_UPS_PER_IP, windowSeconds: HOUR_SECONDS },
    newClientRateLimit: { maxPerUser: CLIENTS_PER_USER, windowSeconds: HOUR_SECONDS },
  };
  const deps = { db: h.testDb.db, redis, events: h.nats.events, ids: h.services.ids };
  const auth = createAuthService(config, deps);
  const services: ApiServices = assembleApiServices(deps, auth, {
    messaging: { ...h.services.messaging, lookupRateLimit: LOOKUPS },
  });
  async function caller(headers: Record<string, string> = {}, ip: string | null = randomIp()) {
    const resHeaders = new Headers();
    const ctx = await createContext(services, { headers: new Headers(headers), ip }, resHeaders);
    return { call: createCaller(ctx), resHeaders };
  }
  return { caller, close: () => redis.disconnect() };
}

/** A fresh IPv6 address per call: 64 random bits, so no other run (the windows last an hour) shares it. */
function randomIp(): string {
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(4)), (group) => group.toString(16));
  return `fd00:${groups.join(":")}::1`;
}

const run = Math.random().toString(36).slice(2, 8);
let handles = 0;
/** A unique handle (≤ 32 characters) that no other run uses either. */
const newHandle = (label: string) => `${label}-${run}-${handles++}`;

/** One OIDC sign-in through the harness's routes; where the browser lands (URL). */
async function oidcSignIn(login: string): Promise<URL> {
  const browser = createTestBrowser();
  const landed = await browser.navigate(`${h.baseUrl}/api/auth/oidc/lim/start`, {
    login,
    // Stop where the callback sends the browser: back on our origin, past the OIDC routes.
    stopAt: (url) => url.startsWith(h.baseUrl) && !url.includes("/api/auth/oidc/"),
  });
  return new URL(landed.url);
}

/** Clears this file's loopback sign-up counter (see OIDC_SIGN_UP_WINDOW_SECONDS). */
async function clearLoopbackSignUps(): Promise<void> {
  const keys = await h.redis.keys(`auth:signup:ip:*:${OIDC_SIGN_UP_WINDOW_SECONDS * 1000}`);
  if (keys.length > 0) await h.redis.del(...keys);
}

const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

async function signUp(via: Instance, handle: string, ip: string) {
  const { call } = await via.caller({}, ip);
  const result = await call.auth.signUp({ handle, displayName: handle, password: PASSWORD, mode: "token" });
  if (result.mode !== "token") throw new Error("expected token mode");
  return result;
}

async function signIn(via: Instance, handle: string, mode: "token" | "cookie" = "token") {
  const { call, resHeaders } = await via.caller();
  const result = await call.auth.signIn({ handle, password: PASSWORD, mode });
  return { ...result, setCookie: resHeaders.getSetCookie() };
}

/** The refusal a call ended with: TOO_MANY_REQUESTS with its message and details, or a failed test. */
async function refusal(attempt: () => Promise<unknown>) {
  const error = await failure(attempt);
  expect(error).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect(trpcError.code).toBe("TOO_MANY_REQUESTS");
  const details = (trpcError.cause as { details?: Record<string, unknown> } | undefined)?.details ?? {};
  return { message: trpcError.message, details };
}

/** Every key in Redis (the test server is small); for "no raw IP or handle in a key" checks. */
const allRedisKeys = () => h.redis.keys("*");

const sha256Hex = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

describe("sign-up budget per client IP", () => {
  test("the 3rd sign-up from one IP succeeds and the 4th is refused, counted across two API instances", async () => {
    const ip = randomIp();
    await signUp(one, newHandle("su"), ip);
    await signUp(two, newHandle("su"), ip);
    await signUp(one, newHandle("su"), ip);
    const refusedHandle = newHandle("su");
    const refused = await refusal(() => signUp(two, refusedHandle, ip));
    expect(refused.message).toBe("too many accounts created from this network; try again later");
    expect(refused.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.details.retryAfterSeconds).toBeLessThanOrEqual(HOUR_SECONDS);
    // Refused before the handle was claimed: from another IP the same handle is still free.
    const elsewhere = await signUp(one, refusedHandle, randomIp());
    expect((await h.auth.findUserByHandle(refusedHandle))?.id).toBe(elsewhere.userId);
  });

  test("Redis holds a hash of the IP, never the IP or the handles", async () => {
    const ip = randomIp();
    const handle = newHandle("sukey");
    await signUp(two, handle, ip);
    expect(await h.redis.get(windowKey(`auth:signup:ip:${sha256Hex(ip)}`, HOUR_SECONDS * 1000))).toBe("1");
    const keys = await allRedisKeys();
    expect(keys.filter((key) => key.includes(ip) || key.includes(handle))).toEqual([]);
  });
});

describe("new clients per user", () => {
  test("sign-ins (token and cookie) may create 4 clients per user, the 5th is refused; other users and tabs are unaffected", async () => {
    const handle = newHandle("nc");
    const user = await signUp(one, handle, randomIp()); // client 1
    await signIn(two, handle); // 2
    const browser = await signIn(one, handle, "cookie"); // 3
    await signIn(two, handle); // 4
    const refused = await refusal(() => signIn(one, handle));
    expect(refused.message).toBe("too many sign-ins for this account; try again later");
    expect(refused.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(await refusal(() => signIn(two, handle, "cookie"))).toMatchObject({
      message: "too many sign-ins for this account; try again later",
    });
    // Refused before the row: user_clients holds exactly the four that were allowed.
    expect(await h.auth.listClients(user.userId)).toHaveLength(CLIENTS_PER_USER);
    // Tabs keep their own budget: the signed-in browser still opens one.
    const cookie = browser.setCookie[0]?.split(";")[0] ?? "";
    const { call } = await one.caller({ cookie });
    expect((await call.auth.openTab()).parentClientId).toBe(browser.clientId);
    // Another user is unaffected.
    const other = newHandle("nc");
    await signUp(two, other, randomIp());
    expect((await signIn(one, other)).mode).toBe("token");
  });

  test("an OIDC sign-in past the budget lands on the sign-in page with error=too_many_requests", async () => {
    await clearLoopbackSignUps();
    const login = `oidc${run}`;
    const signInOnce = () => oidcSignIn(login);
    // The first login creates the user and its first client; the second adds one more.
    for (let i = 0; i < OIDC_CLIENTS_PER_USER; i++) {
      const landed = await signInOnce();
      expect(landed.searchParams.get("error")).toBeNull();
      expect(landed.pathname).toBe("/");
    }
    const refused = await signInOnce();
    expect(refused.pathname).toBe(h.config.signInPath);
    expect(refused.searchParams.get("error")).toBe("too_many_requests");
  });
});

describe("first OIDC logins", () => {
  test("spend the per-IP sign-up budget; past it a new identity is refused, a returning one still signs in", async () => {
    await clearLoopbackSignUps();
    const logins = Array.from({ length: OIDC_SIGN_UPS_PER_IP + 1 }, (_, i) => `first${run}${i}`);
    for (const login of logins.slice(0, OIDC_SIGN_UPS_PER_IP)) {
      expect((await oidcSignIn(login)).searchParams.get("error")).toBeNull();
    }
    const refused = await oidcSignIn(logins[OIDC_SIGN_UPS_PER_IP] ?? "");
    expect(refused.pathname).toBe(h.config.signInPath);
    expect(refused.searchParams.get("error")).toBe("too_many_requests");
    // Signing in again creates no account, so the exhausted budget does not stand in the way.
    const returning = await oidcSignIn(logins[0] ?? "");
    expect(returning.searchParams.get("error")).toBeNull();
    expect(returning.pathname).toBe("/");
  });
});

describe("user.byHandle lookups", () => {
  test("3 lookups per client succeed (misses count too) and the 4th is refused, across two API instances; other users are unaffected", async () => {
    const target = newHandle("target");
    await signUp(one, target, randomIp());
    const looker = await signUp(two, newHandle("looker"), randomIp());
    const viaOne = (await one.caller(bearer(looker.accessToken))).call;
    const viaTwo = (await two.caller(bearer(looker.accessToken))).call;
    expect((await viaOne.user.byHandle({ handle: target })).handle).toBe(target);
    expect(await failure(() => viaTwo.user.byHandle({ handle: newHandle("ghost") }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await viaTwo.user.byHandle({ handle: target })).handle).toBe(target);
    const refused = await refusal(() => viaOne.user.byHandle({ handle: target }));
    expect(refused.message).toBe("too many handle lookups; wait a minute and try again");
    expect(refused.details.retryAfterMs).toBeGreaterThan(0);
    expect(refused.details.retryAfterMs).toBeLessThanOrEqual(LOOKUPS.windowMs);
    // Another user's client has its own budgets.
    const other = await signUp(one, newHandle("other"), randomIp());
    const otherCall = (await two.caller(bearer(other.accessToken))).call;
    expect((await otherCall.user.byHandle({ handle: target })).handle).toBe(target);
  });

  test("a user's clients share a budget of 5: a new sign-in does not buy a fresh allowance", async () => {
    const target = newHandle("target");
    await signUp(two, target, randomIp());
    const handle = newHandle("multi");
    const first = await signUp(one, handle, randomIp());
    const firstCall = (await one.caller(bearer(first.accessToken))).call;
    for (let i = 0; i < LOOKUPS.perClientMax; i++) await firstCall.user.byHandle({ handle: target });
    const second = await signIn(two, handle);
    if (second.mode !== "token") throw new Error("expected token mode");
    const secondCall = (await two.caller(bearer(second.accessToken))).call;
    // Client two: 2 of its own 3, which brings the user to 5 of 5...
    for (let i = 0; i < LOOKUPS.perUserMax - LOOKUPS.perClientMax; i++) {
      await secondCall.user.byHandle({ handle: target });
    }
    // ...so its third is refused by the user's budget although its own still has room.
    expect((await refusal(() => secondCall.user.byHandle({ handle: target }))).message).toBe(
      "too many handle lookups; wait a minute and try again",
    );
  });

  test("Redis keys name ids, never the handles looked up", async () => {
    const target = newHandle("secret");
    await signUp(one, target, randomIp());
    const looker = await signUp(two, newHandle("looker"), randomIp());
    const call = (await one.caller(bearer(looker.accessToken))).call;
    await call.user.byHandle({ handle: target });
    expect(await h.redis.get(windowKey(`rl:lookup:c:${looker.clientId}`, LOOKUPS.windowMs))).toBe("1");
    expect(await h.redis.get(windowKey(`rl:lookup:u:${looker.userId}`, LOOKUPS.windowMs))).toBe("1");
    const keys = await allRedisKeys();
    expect(keys.filter((key) => key.includes(target))).toEqual([]);
  });
});

describe("failed sign-ins keep their own budget", () => {
  test("Redis keys for failed sign-ins hold hashes of the handle and IP", async () => {
    const handle = newHandle("fail");
    const ip = randomIp();
    const { call } = await one.caller({}, ip);
    await expect(call.auth.signIn({ handle, password: "wrong password!", mode: "token" })).rejects.toThrow(
      "wrong handle or password",
    );
    expect(
      await h.redis.get(
        windowKey(`auth:signin:ip:${sha256Hex(ip)}`, h.config.rateLimit.windowSeconds * 1000),
      ),
    ).toBe("1");
    const keys = await allRedisKeys();
    expect(keys.filter((key) => key.includes(ip) || key.includes(handle))).toEqual([]);
  });
});
