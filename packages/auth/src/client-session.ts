import { clientNameFrom } from "./client-name";
import { createClient } from "./clients";
import type { AuthConfig } from "./config";
import { serializeCookie } from "./cookies";
import type { AuthDeps } from "./deps";
import { signAccessToken } from "./jwt";
import type { AuthKeys } from "./keys";
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

export function sessionCookieName(config: AuthConfig): string {
  // __Host- pins the cookie to our exact origin and path "/" (browsers enforce it with Secure).
  return config.secureCookies ? "__Host-parley_session" : "parley_session";
}

/** Every successful sign-in lands here: a new client, then a cookie session or a token pair. */
export async function startClientSession(
  deps: AuthDeps,
  config: AuthConfig,
  keys: AuthKeys,
  userId: string,
  request: ClientRequest,
): Promise<SignInResult> {
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
  const refreshToken = await issueRefreshToken(deps.db, userId, clientId, config.refreshTokenTtlSeconds);
  const access = await signAccessToken(
    await keys.accessPrivate,
    { userId, clientId },
    config.accessTokenTtlSeconds,
  );
  return {
    userId,
    clientId,
    setCookie: null,
    tokens: { accessToken: access.token, refreshToken, expiresAt: access.expiresAt },
  };
}
