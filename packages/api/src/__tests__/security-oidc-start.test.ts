/**
 * OIDC /start is reachable without an account and stores a flow in Redis for ten minutes per call:
 * it is budgeted per client IP, and a refused start stores nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { OidcTestProvider } from "@parley/auth/testing";
import { authFixture, startOidcProviderFor } from "./auth-harness";

const STARTS_PER_IP = 3;
/** A window length no other file uses: the window is part of the key, and every test runs from loopback. */
const WINDOW_SECONDS = 60 * 60 + 13;

let provider: OidcTestProvider;

const h = await authFixture("secoidcstart", async (baseUrl) => {
  const started = await startOidcProviderFor(baseUrl, "st");
  provider = started.provider;
  return {
    oidcProviders: [started.config],
    oidcStartRateLimit: { maxPerIp: STARTS_PER_IP, windowSeconds: WINDOW_SECONDS },
  };
});

beforeAll(async () => {
  const keys = await h.redis.keys(`auth:oidcstart:ip:*:${WINDOW_SECONDS * 1000}`);
  if (keys.length > 0) await h.redis.del(...keys);
});
afterAll(async () => {
  await provider?.close();
});

const start = () => fetch(`${h.baseUrl}/api/auth/oidc/st/start`, { redirect: "manual" });

test("starts past the per-IP budget land on the sign-in page with too_many_requests, storing no flow", async () => {
  for (let index = 0; index < STARTS_PER_IP; index++) {
    const response = await start();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toStartWith(provider.issuer);
  }
  const flowsBefore = (await h.redis.keys("auth:oidc:flow:*")).length;
  const refused = await start();
  expect(refused.status).toBe(302);
  const location = new URL(refused.headers.get("location") ?? "", h.baseUrl);
  expect(location.pathname).toBe("/sign-in");
  expect(location.searchParams.get("error")).toBe("too_many_requests");
  // No state cookie handed out, and (other files may start flows meanwhile) no flow of ours: the
  // refusal happens before anything is written.
  expect(refused.headers.getSetCookie().some((cookie) => /parley_oidc_state=[^;]/.test(cookie))).toBe(false);
  expect((await h.redis.keys("auth:oidc:flow:*")).length).toBeLessThanOrEqual(flowsBefore);
  // Keys hold a hash of the address, never the address.
  const keys = await h.redis.keys(`auth:oidcstart:ip:*:${WINDOW_SECONDS * 1000}`);
  expect(keys.length).toBe(1);
  expect(keys.join()).not.toContain("127.0.0.1");
});
