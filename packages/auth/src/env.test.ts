import { describe, expect, test } from "bun:test";
import { readAuthEnv } from "./env";
import { createTestAuthConfig } from "./testing/config";

async function baseEnv(): Promise<Record<string, string>> {
  const config = await createTestAuthConfig();
  // One-line PEMs with literal \n, as `bun run setup` writes them to .env.
  const oneLine = (pem: string) => pem.replaceAll("\n", "\\n");
  return {
    ACCESS_TOKEN_PRIVATE_KEY: oneLine(config.accessTokenPrivateKey),
    ACCESS_TOKEN_PUBLIC_KEY: oneLine(config.accessTokenPublicKey),
    REALTIME_TOKEN_PRIVATE_KEY: oneLine(config.realtimeTokenPrivateKey),
    REALTIME_TOKEN_PUBLIC_KEY: oneLine(config.realtimeTokenPublicKey),
    REFRESH_TOKEN_SECRET: config.refreshTokenSecret,
  };
}

describe("readAuthEnv", () => {
  test("applies defaults and restores PEM newlines", async () => {
    const config = readAuthEnv(await baseEnv());
    expect(config.accessTokenPrivateKey).toContain("\n");
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.refreshGraceSeconds).toBe(45);
    expect(config.tabRefreshTtlSeconds).toBe(12 * 60 * 60);
    expect(readAuthEnv({ ...(await baseEnv()), TAB_REFRESH_TTL_HOURS: "2" }).tabRefreshTtlSeconds).toBe(7200);
    expect(config.secureCookies).toBe(false);
    expect(config.oidcProviders).toEqual([]);
    expect(readAuthEnv({ ...(await baseEnv()), NODE_ENV: "production" }).secureCookies).toBe(true);
  });

  test("reads several OIDC providers from OIDC_PROVIDERS", async () => {
    const providers = [
      { id: "google", issuer: "https://accounts.google.com", clientId: "g", clientSecret: "gs" },
      {
        id: "corp",
        name: "Corp SSO",
        issuer: "https://sso.corp.example/realms/x",
        clientId: "c",
        clientSecret: "cs",
        scopes: ["openid"],
      },
    ];
    const config = readAuthEnv({ ...(await baseEnv()), OIDC_PROVIDERS: JSON.stringify(providers) });
    expect(config.oidcProviders.map((provider) => provider.id)).toEqual(["google", "corp"]);
    expect(config.oidcProviders[0]?.scopes).toEqual(["openid", "profile", "email"]);
  });

  test("reads the sign-up and new-client budgets, with defaults", async () => {
    const env = await baseEnv();
    const defaults = readAuthEnv(env);
    expect(defaults.signUpRateLimit).toEqual({ maxPerIp: 20, windowSeconds: 3600 });
    expect(defaults.newClientRateLimit).toEqual({ maxPerUser: 30, windowSeconds: 3600 });
    const set = readAuthEnv({
      ...env,
      SIGN_UP_RATE_LIMIT_MAX: "5",
      SIGN_UP_RATE_LIMIT_WINDOW_SECONDS: "600",
      NEW_CLIENT_RATE_LIMIT_MAX: "10",
      NEW_CLIENT_RATE_LIMIT_WINDOW_SECONDS: "1800",
    });
    expect(set.signUpRateLimit).toEqual({ maxPerIp: 5, windowSeconds: 600 });
    expect(set.newClientRateLimit).toEqual({ maxPerUser: 10, windowSeconds: 1800 });
    expect(() => readAuthEnv({ ...env, SIGN_UP_RATE_LIMIT_MAX: "0" })).toThrow(
      /^\[auth\] invalid environment variable SIGN_UP_RATE_LIMIT_MAX: /,
    );
    expect(() => readAuthEnv({ ...env, NEW_CLIENT_RATE_LIMIT_WINDOW_SECONDS: "soon" })).toThrow(
      /NEW_CLIENT_RATE_LIMIT_WINDOW_SECONDS/,
    );
  });

  test("a bad variable stops start-up with one line naming it, never its value", async () => {
    const env = await baseEnv();
    expect(() => readAuthEnv({ ...env, REFRESH_TOKEN_SECRET: "short-secret-value" })).toThrow(
      /^\[auth\] invalid environment variable REFRESH_TOKEN_SECRET: must be at least 32 characters$/,
    );
    expect(() => readAuthEnv({ ...env, ACCESS_TOKEN_PRIVATE_KEY: undefined })).toThrow(
      /ACCESS_TOKEN_PRIVATE_KEY/,
    );
    expect(() => readAuthEnv({ ...env, OIDC_PROVIDERS: "{not json" })).toThrow(
      /OIDC_PROVIDERS: must be a JSON array/,
    );
    expect(() =>
      readAuthEnv({
        ...env,
        OIDC_PROVIDERS: JSON.stringify([{ id: "x", issuer: "nope", clientId: "a", clientSecret: "b" }]),
      }),
    ).toThrow(/OIDC_PROVIDERS/);
    expect(() => readAuthEnv({ ...env, TAB_REFRESH_TTL_HOURS: "0" })).toThrow(/TAB_REFRESH_TTL_HOURS/);
    expect(() => readAuthEnv({ ...env, ACCESS_TOKEN_TTL_SECONDS: "3600" })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS/,
    );
  });
});
