import type { AuthConfig } from "../config";
import { DEFAULT_RATE_LIMIT } from "../config";
import { generateEd25519PemPair, generateSecret } from "../generate-keys";

/**
 * The auth variables of a stack of our own processes (API, worker, web app) with fresh keys and
 * secrets, named as `bun run setup` writes them to .env. Sign-up and new-client budgets are lifted:
 * every test run signs up from 127.0.0.1 against one shared Redis whose counters outlive the run.
 * Tests of those limits set small ones over these.
 */
export async function createTestAuthEnv() {
  const [access, realtime] = await Promise.all([generateEd25519PemPair(), generateEd25519PemPair()]);
  return {
    ACCESS_TOKEN_PRIVATE_KEY: access.privatePem,
    ACCESS_TOKEN_PUBLIC_KEY: access.publicPem,
    REALTIME_TOKEN_PRIVATE_KEY: realtime.privatePem,
    REALTIME_TOKEN_PUBLIC_KEY: realtime.publicPem,
    REFRESH_TOKEN_SECRET: generateSecret(),
    AUTH_COOKIE_SECURE: "false",
    SIGN_UP_RATE_LIMIT_MAX: "1000000",
    NEW_CLIENT_RATE_LIMIT_MAX: "1000000",
  };
}

/** A complete AuthConfig with fresh keys and secrets, as `bun run setup` would write them. */
export async function createTestAuthConfig(overrides: Partial<AuthConfig> = {}): Promise<AuthConfig> {
  const access = await generateEd25519PemPair();
  const realtime = await generateEd25519PemPair();
  return {
    appUrl: "http://127.0.0.1:3000",
    secureCookies: false,
    accessTokenPrivateKey: access.privatePem,
    accessTokenPublicKey: access.publicPem,
    realtimeTokenPrivateKey: realtime.privatePem,
    realtimeTokenPublicKey: realtime.publicPem,
    refreshTokenSecret: generateSecret(),
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 60 * 24 * 60 * 60,
    tabRefreshTtlSeconds: 12 * 60 * 60,
    refreshGraceSeconds: 45,
    sessionTtlSeconds: 30 * 24 * 60 * 60,
    revocationCacheMs: 2000,
    rateLimit: DEFAULT_RATE_LIMIT,
    // Every test process signs up from 127.0.0.1 against one Redis, run after run within the hour:
    // the production defaults would make suites fail each other. Tests of these limits set small ones.
    signUpRateLimit: { maxPerIp: 1_000_000, windowSeconds: 60 * 60 },
    newClientRateLimit: { maxPerUser: 1_000_000, windowSeconds: 60 * 60 },
    oidcStartRateLimit: { maxPerIp: 1_000_000, windowSeconds: 60 * 60 },
    oidcProviders: [],
    signInPath: "/sign-in",
    ...overrides,
  };
}

/**
 * Unique decimal ids below 2^63 (ms time × 10^5 + a counter from a random start), good enough for
 * tests until the leased snowflake generator is wired in.
 */
export function createTestIds(): { nextId: () => string } {
  let counter = Math.floor(Math.random() * 50_000);
  return {
    nextId: () => {
      counter = (counter + 1) % 100_000;
      return (BigInt(Date.now()) * 100_000n + BigInt(counter)).toString();
    },
  };
}
