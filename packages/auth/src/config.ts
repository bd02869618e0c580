import { z } from "zod";

/** One OpenID provider: `id` names it in URLs (`/api/auth/oidc/<id>/start`). */
export const ZOidcProviderConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "provider id must be lowercase letters, digits, -"),
  name: z.string().min(1).optional(),
  issuer: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.string()).default(["openid", "profile", "email"]),
});
export type OidcProviderConfig = z.infer<typeof ZOidcProviderConfig>;

export type RateLimitConfig = {
  /** Failed sign-ins per normalised handle per window; the next one is refused. */
  maxFailuresPerHandle: number;
  /** Failed sign-ins per client IP per window (higher: many users share a NAT). */
  maxFailuresPerIp: number;
  windowSeconds: number;
};

/** Everything createAuthService needs; `readAuthEnv()` builds it from the environment. */
export type AuthConfig = {
  /** Public origin of the web app: OIDC redirect URIs and the same-origin check use it. */
  appUrl: string;
  /** Secure cookies (and the __Host- prefix); on in production. */
  secureCookies: boolean;
  accessTokenPrivateKey: string;
  accessTokenPublicKey: string;
  realtimeTokenPrivateKey: string;
  realtimeTokenPublicKey: string;
  refreshTokenSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * Refresh-token life of a browser tab's client (short and sliding: an open tab refreshes every
   * ≤ 15 min, which renews it). A tab whose refresh tokens have all expired is dead: `listClients`
   * leaves it out and the browser's next `openTab` revokes it.
   */
  tabRefreshTtlSeconds: number;
  refreshGraceSeconds: number;
  sessionTtlSeconds: number;
  /** A cached `revoked_at` answer is at most this old (the contract says ≤ 5 s). */
  revocationCacheMs: number;
  rateLimit: RateLimitConfig;
  /** Tab clients a browser may open per window (`auth.openTab`); DEFAULT_TAB_RATE_LIMIT if unset. */
  tabRateLimit?: TabRateLimitConfig;
  /** Accounts created per client IP per window; DEFAULT_SIGN_UP_RATE_LIMIT if unset. */
  signUpRateLimit?: SignUpRateLimitConfig;
  /** Clients a user's sign-ins may create per window (not tabs); DEFAULT_NEW_CLIENT_RATE_LIMIT if unset. */
  newClientRateLimit?: NewClientRateLimitConfig;
  /** OIDC sign-ins started per client IP per window; DEFAULT_OIDC_START_RATE_LIMIT if unset. */
  oidcStartRateLimit?: OidcStartRateLimitConfig;
  oidcProviders: OidcProviderConfig[];
  /** Where a failed OIDC sign-in lands, with `?error=<code>`. */
  signInPath: string;
};

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  maxFailuresPerHandle: 10,
  maxFailuresPerIp: 50,
  windowSeconds: 60,
};

export type TabRateLimitConfig = { maxTabsPerBrowser: number; windowSeconds: number };

/** Generous for people (a reload keeps its tab client), tight for a script minting clients. */
export const DEFAULT_TAB_RATE_LIMIT: TabRateLimitConfig = { maxTabsPerBrowser: 30, windowSeconds: 60 };

export type SignUpRateLimitConfig = { maxPerIp: number; windowSeconds: number };

/**
 * A household, an office or a classroom signing up together stays well inside it; a script creating
 * accounts (and squatting handles, which are global and never freed) from one address does not.
 */
export const DEFAULT_SIGN_UP_RATE_LIMIT: SignUpRateLimitConfig = { maxPerIp: 20, windowSeconds: 60 * 60 };

export type OidcStartRateLimitConfig = { maxPerIp: number; windowSeconds: number };

/**
 * Each start stores a flow in Redis for ten minutes, without an account. A person clicks "Continue
 * with …" a few times; a script filling Redis from one address does not get far.
 */
export const DEFAULT_OIDC_START_RATE_LIMIT: OidcStartRateLimitConfig = { maxPerIp: 30, windowSeconds: 60 };

export type NewClientRateLimitConfig = { maxPerUser: number; windowSeconds: number };

/**
 * New clients (user_clients rows) per user from sign-ins, password or OIDC, cookie or token. A person
 * signs in on a new device or browser a few times a day; a loop holding the password adds a row,
 * its sessions and a devices-list entry per call.
 */
export const DEFAULT_NEW_CLIENT_RATE_LIMIT: NewClientRateLimitConfig = {
  maxPerUser: 30,
  windowSeconds: 60 * 60,
};
