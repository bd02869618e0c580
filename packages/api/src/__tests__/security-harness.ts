/**
 * Setup for the security tests: the auth harness (fresh database, real Redis and NATS, the real UAA
 * inside real ApiServices, the whole appRouter behind createContext and the real fetch adapter on
 * Bun.serve, so requests carry real headers: cookies, Sec-Fetch-*, Origin) with callers that return
 * the router directly and token-mode users.
 */
import type { AuthConfig } from "@parley/auth";
import { fileFixture } from "@parley/testkit/file-fixture";
import { type AppCaller, startAuthHarness } from "./auth-harness";

export type SecurityCaller = AppCaller;
export type SecurityHarness = Awaited<ReturnType<typeof startSecurityHarness>>;

export const PASSWORD = "correct horse battery staple";

export async function startSecurityHarness(
  label: string,
  overrides: Partial<AuthConfig> | ((baseUrl: string) => Promise<Partial<AuthConfig>>) = {},
) {
  const harness = await startAuthHarness(label, overrides);

  /** A caller for one request with these headers, through the real createContext. */
  async function caller(headers: Record<string, string> = {}, ip: string | null = "127.0.0.1") {
    return (await harness.caller(headers, ip)).call;
  }

  /** A fresh user signed up in token mode, with a bearer caller. */
  async function user(handle: string) {
    const signedUp = await harness.signUpWithTokens(handle, PASSWORD);
    const bearer = { authorization: `Bearer ${signedUp.accessToken}` };
    return { ...signedUp, call: await caller(bearer), bearer };
  }

  return {
    testDb: harness.testDb,
    redis: harness.redis,
    services: harness.services,
    auth: harness.auth,
    config: harness.config,
    baseUrl: harness.baseUrl,
    caller,
    user,
    close: harness.close,
  };
}

/** The security harness of a test file, in one call (top-level await), closed after its last test. */
export const securityFixture = (...args: Parameters<typeof startSecurityHarness>) =>
  fileFixture(() => startSecurityHarness(...args));

/** The error a rejected promise carries, or null when it resolved. */
export async function failure(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    () => null,
    (caught: unknown) => caught,
  );
}
