import type { AuthConfig } from "../config";
import { DEFAULT_RATE_LIMIT } from "../config";
import { generateEd25519PemPair, generateSecret } from "../generate-keys";

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
