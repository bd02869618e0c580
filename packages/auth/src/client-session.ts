import { ERROR_REASON } from "@parley/protocol";
import { clientNameFrom } from "./client-name";
import { createClient, readClient, revokeClient, revokeDeadTabs } from "./clients";
import { type AuthConfig, DEFAULT_NEW_CLIENT_RATE_LIMIT } from "./config";
import { serializeCookie } from "./cookies";
import type { AuthDeps } from "./deps";
import { AuthError } from "./errors";
import { signAccessToken } from "./jwt";
import type { AuthKeys } from "./keys";
import { createNewClientRateLimiter } from "./rate-limit";
import { issueRefreshToken } from "./refresh";
import { createBrowserSession } from "./sessions";

export type SignInMode = "cookie" | "token";
/** Who is signing in from where: the mode picks cookie (browsers) or tokens (mobile, CLI, tests). */
export type ClientRequest = { mode: SignInMode; clientName?: string; headers: Headers };
export type TokenPair = { accessToken: string; refreshToken: string; expiresAt: number };
export type SignInResult = {
  userId: string;
  clientId: string;
  /** A Set-Cookie header value to send (cookie mode). */
  setCookie: string | null;
  tokens: TokenPair | null;
};

/** The browser session cookie's name; with Secure cookies it carries the `__Host-` prefix. */
export const SESSION_COOKIE_NAME = "parley_session";

export function sessionCookieName(config: AuthConfig): string {
  // __Host- pins the cookie to our exact origin and path "/" (browsers enforce it with Secure).
  return config.secureCookies ? `__Host-${SESSION_COOKIE_NAME}` : SESSION_COOKIE_NAME;
}

/**
 * Every successful sign-in lands here (password or OIDC, cookie or token; not tabs, which have their
 * own budget): a new client, then a cookie session or a token pair.
 */
export async function startClientSession(
  deps: AuthDeps,
  config: AuthConfig,
  keys: AuthKeys,
  userId: string,
  request: ClientRequest,
): Promise<SignInResult> {
  // Reserved before the row is written: a sign-in loop must not grow user_clients without bound.
  await createNewClientRateLimiter(
    deps.redis,
    config.newClientRateLimit ?? DEFAULT_NEW_CLIENT_RATE_LIMIT,
  ).take(userId);
  const kind = request.mode === "cookie" ? "browser" : "token";
  const name = clientNameFrom(request.clientName, request.headers.get("user-agent"));
  const clientId = await createClient(deps, userId, kind, name);
  if (request.mode === "cookie") {
    const session = await createBrowserSession(deps.db, userId, clientId, config.sessionTtlSeconds);
    const setCookie = serializeCookie(sessionCookieName(config), session.token, {
      maxAgeSeconds: config.sessionTtlSeconds,
      secure: config.secureCookies,
    });
    return { userId, clientId, setCookie, tokens: null };
  }
  return {
    userId,
    clientId,
    setCookie: null,
    tokens: await issueTokenPair(deps, config, keys, userId, clientId),
  };
}

/** A fresh refresh family and access token for a token client (sign-in in token mode, a browser tab). */
async function issueTokenPair(
  deps: AuthDeps,
  config: AuthConfig,
  keys: AuthKeys,
  userId: string,
  clientId: string,
  refreshTtlSeconds: number = config.refreshTokenTtlSeconds,
): Promise<TokenPair> {
  const refreshToken = await issueRefreshToken(deps.db, userId, clientId, refreshTtlSeconds);
  const access = await signAccessToken(
    await keys.accessPrivate,
    { userId, clientId },
    config.accessTokenTtlSeconds,
  );
  return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt };
}

export type TabSession = TokenPair & { userId: string; clientId: string; parentClientId: string };

/** "Chrome on Linux" → "Chrome on Linux — tab"; a given name wins. */
export function tabClientName(given: string | undefined, browserName: string): string {
  if (given?.trim()) return clientNameFrom(given, null);
  return `${browserName.slice(0, 120)} — tab`;
}

/**
 * Opens a browser tab's own client under the browser's cookie client: a child row (kind "browser",
 * `parent_client_id` = the browser) with its own refresh family and access token, exactly as a
 * token-mode sign-in gets. The caller has checked that the viewer came with the cookie.
 */
export async function openTabSession(
  deps: AuthDeps,
  config: AuthConfig,
  keys: AuthKeys,
  browser: { userId: string; clientId: string },
  name: string | undefined,
): Promise<TabSession> {
  const parent = await readClient(deps.db, browser.userId, browser.clientId);
  if (!parent || parent.revokedAt) {
    throw new AuthError("UNAUTHORIZED", "this browser was signed out", {
      reason: ERROR_REASON.BROWSER_SIGNED_OUT,
    });
  }
  // Tabs hang off a browser, never off another tab (one level: revoking a browser finds them all).
  if (parent.parentClientId !== null || parent.kind !== "browser") {
    throw new AuthError("FORBIDDEN", "only a browser session can open tabs", {
      reason: ERROR_REASON.NOT_A_BROWSER_SESSION,
    });
  }
  const clientId = await createClient(
    deps,
    browser.userId,
    "browser",
    tabClientName(name, parent.name),
    browser.clientId,
  );
  const tokens = await issueTokenPair(
    deps,
    config,
    keys,
    browser.userId,
    clientId,
    config.tabRefreshTtlSeconds,
  );
  // Tidy at the source: this browser's dead tabs (closed long ago) are revoked now, so rows and the
  // devices list do not grow with every tab ever opened. One bounded statement on the user's shard.
  await revokeDeadTabs(deps.db, browser.userId, browser.clientId);
  // A revoke of the browser that ran while this tab was being created did not see it: look again.
  const after = await readClient(deps.db, browser.userId, browser.clientId);
  if (!after || after.revokedAt) {
    await revokeClient(deps, browser.userId, clientId);
    throw new AuthError("UNAUTHORIZED", "this browser was signed out", {
      reason: ERROR_REASON.BROWSER_SIGNED_OUT,
    });
  }
  return { userId: browser.userId, clientId, parentClientId: browser.clientId, ...tokens };
}
