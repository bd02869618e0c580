import { type EnvSource, parseEnv } from "@parley/protocol";
import { z } from "zod";
import {
  type AuthConfig,
  DEFAULT_NEW_CLIENT_RATE_LIMIT,
  DEFAULT_OIDC_START_RATE_LIMIT,
  DEFAULT_RATE_LIMIT,
  DEFAULT_SIGN_UP_RATE_LIMIT,
  ZOidcProviderConfig,
} from "./config";

/** PEM keys arrive with literal `\n` when written on one .env line; restore real newlines. */
const ZPem = (kind: "PRIVATE" | "PUBLIC") =>
  z
    .string()
    .transform((value) => value.replace(/\\n/g, "\n").trim())
    .refine((value) => value.startsWith(`-----BEGIN ${kind} KEY-----`), `must be a ${kind} KEY PEM`);

const ZOidcProviders = z
  .string()
  .default("[]")
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON array" });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(ZOidcProviderConfig)
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, "provider ids must be unique"),
  );

const DAY_SECONDS = 24 * 60 * 60;

const ZAuthEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  APP_URL: z.url().default("http://localhost:3000"),
  AUTH_COOKIE_SECURE: z.enum(["true", "false"]).optional(),
  ACCESS_TOKEN_PRIVATE_KEY: ZPem("PRIVATE"),
  ACCESS_TOKEN_PUBLIC_KEY: ZPem("PUBLIC"),
  REALTIME_TOKEN_PRIVATE_KEY: ZPem("PRIVATE"),
  REALTIME_TOKEN_PUBLIC_KEY: ZPem("PUBLIC"),
  REFRESH_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters"),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(60),
  TAB_REFRESH_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  REFRESH_GRACE_SECONDS: z.coerce.number().int().min(30).max(60).default(45),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  OIDC_PROVIDERS: ZOidcProviders,
  AUTH_SIGN_IN_PATH: z.string().startsWith("/").default("/sign-in"),
  /** Accounts created per client IP per window (password sign-up). */
  SIGN_UP_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_SIGN_UP_RATE_LIMIT.maxPerIp),
  SIGN_UP_RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(DAY_SECONDS)
    .default(DEFAULT_SIGN_UP_RATE_LIMIT.windowSeconds),
  /** Clients a user's sign-ins may create per window (browser tabs have their own budget). */
  NEW_CLIENT_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_NEW_CLIENT_RATE_LIMIT.maxPerUser),
  NEW_CLIENT_RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(DAY_SECONDS)
    .default(DEFAULT_NEW_CLIENT_RATE_LIMIT.windowSeconds),
  /** OIDC sign-ins started per client IP per window (each stores a flow for ten minutes). */
  OIDC_START_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_OIDC_START_RATE_LIMIT.maxPerIp),
  OIDC_START_RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(DAY_SECONDS)
    .default(DEFAULT_OIDC_START_RATE_LIMIT.windowSeconds),
});

/**
 * Reads and validates the UAA's environment. A missing or bad variable throws one line naming it
 * (never its value: these are secrets).
 */
export function readAuthEnv(source: EnvSource = process.env): AuthConfig {
  const env = parseEnv(ZAuthEnv, source, "auth");
  return {
    appUrl: env.APP_URL,
    secureCookies: env.AUTH_COOKIE_SECURE ? env.AUTH_COOKIE_SECURE === "true" : env.NODE_ENV === "production",
    accessTokenPrivateKey: env.ACCESS_TOKEN_PRIVATE_KEY,
    accessTokenPublicKey: env.ACCESS_TOKEN_PUBLIC_KEY,
    realtimeTokenPrivateKey: env.REALTIME_TOKEN_PRIVATE_KEY,
    realtimeTokenPublicKey: env.REALTIME_TOKEN_PUBLIC_KEY,
    refreshTokenSecret: env.REFRESH_TOKEN_SECRET,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_DAYS * DAY_SECONDS,
    tabRefreshTtlSeconds: env.TAB_REFRESH_TTL_HOURS * 60 * 60,
    refreshGraceSeconds: env.REFRESH_GRACE_SECONDS,
    sessionTtlSeconds: env.SESSION_TTL_DAYS * DAY_SECONDS,
    revocationCacheMs: 2000,
    rateLimit: DEFAULT_RATE_LIMIT,
    signUpRateLimit: {
      maxPerIp: env.SIGN_UP_RATE_LIMIT_MAX,
      windowSeconds: env.SIGN_UP_RATE_LIMIT_WINDOW_SECONDS,
    },
    newClientRateLimit: {
      maxPerUser: env.NEW_CLIENT_RATE_LIMIT_MAX,
      windowSeconds: env.NEW_CLIENT_RATE_LIMIT_WINDOW_SECONDS,
    },
    oidcStartRateLimit: {
      maxPerIp: env.OIDC_START_RATE_LIMIT_MAX,
      windowSeconds: env.OIDC_START_RATE_LIMIT_WINDOW_SECONDS,
    },
    oidcProviders: env.OIDC_PROVIDERS,
    signInPath: env.AUTH_SIGN_IN_PATH,
  };
}
