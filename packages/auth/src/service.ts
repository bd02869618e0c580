import { ERROR_REASON } from "@parley/protocol";
import {
  type ClientRequest,
  openTabSession,
  type SignInResult,
  sessionCookieName,
  startClientSession,
  type TabSession,
  type TokenPair,
} from "./client-session";
import { type ClientInfo, createRevocationCache, listClients, readClient, revokeClient } from "./clients";
import {
  type AuthConfig,
  DEFAULT_OIDC_START_RATE_LIMIT,
  DEFAULT_SIGN_UP_RATE_LIMIT,
  DEFAULT_TAB_RATE_LIMIT,
} from "./config";
import { deleteCookie } from "./cookies";
import { isCrossSiteWrite } from "./cross-site";
import type { AuthDeps } from "./deps";
import { AuthError } from "./errors";
import { type SignedToken, signAccessToken, signRealtimeToken } from "./jwt";
import { loadKeys } from "./keys";
import { createOidcHandlers, type OidcHandler } from "./oidc/handlers";
import {
  createPasswordSignIn,
  type SignInInput,
  type SignUpInput,
  signUpWithPassword,
} from "./password-auth";
import { signPresenceTicket } from "./presence-ticket";
import { createOidcStartRateLimiter, createSignUpRateLimiter, createTabRateLimiter } from "./rate-limit";
import { lingerRefreshToken, rotateRefreshToken } from "./refresh";
import { findUserByHandle, getUser, getUsers, type PublicUser } from "./users";
import { createViewerResolver, type Viewer, type ViewerRequest } from "./viewer";

/** How long a closing tab's refresh token lives on: a reload must refresh within it (it does at once). */
export const TAB_CLOSE_LINGER_SECONDS = 120;

export type SignInRequest = ClientRequest & { ip: string | null };

export type AuthService = {
  /** Viewer from `Authorization: Bearer` or the session cookie; throws AuthError on a bad bearer token. */
  resolveViewer: (req: ViewerRequest, resHeaders?: Headers) => Promise<Viewer | null>;
  /** `revoked_at` check, cached ≤ revocationCacheMs (2 s by default). */
  isClientRevoked: (viewer: Viewer) => Promise<boolean>;
  /**
   * Throws FORBIDDEN when a browser sends this state-changing request from another site (no
   * exemption for navigations: a same-site form POST is one). For cookie-mode sign-in/up and every
   * cookie-authenticated mutation.
   */
  assertSameOrigin: (headers: Headers) => void;
  /** Limited per client IP (`signUpRateLimit`) and, like every sign-in, per user's new clients. */
  signUp: (input: SignUpInput, request: SignInRequest) => Promise<SignInResult>;
  /** Failures limited per handle and IP (`rateLimit`); successes per user's new clients (`newClientRateLimit`). */
  signIn: (input: SignInInput, request: SignInRequest) => Promise<SignInResult>;
  refresh: (refreshToken: string) => Promise<TokenPair>;
  /**
   * A browser tab's own client, opened with the browser's session cookie (FORBIDDEN for any other
   * viewer): a child of the cookie client with its own token pair. Rate-limited per browser.
   */
  openTab: (viewer: Viewer, input: { name?: string }) => Promise<TabSession>;
  /**
   * A closing tab's beacon, authorised by its refresh token: that token now lapses within
   * TAB_CLOSE_LINGER_SECONDS unless the tab comes back (a reload refreshes at once and keeps its
   * client). Best effort; never throws for a bad token (answers false).
   */
  closeTab: (refreshToken: string) => Promise<boolean>;
  /**
   * Revokes the viewer's own client — or, from a browser tab, the whole browser (its cookie client and
   * every tab). `browser` says a browser was signed out: clear the cookie with `clearCookie`.
   */
  signOut: (viewer: Viewer) => Promise<{ clearCookie: string; browser: boolean }>;
  /** `bigDialogIds`: the `dlg` claim (the caller reads them: big groups are the API's domain). */
  mintRealtimeToken: (viewer: Viewer, bigDialogIds?: readonly string[]) => Promise<SignedToken>;
  /** `peers`: users the caller shares a dialog with (the caller checks; presence is the API's domain). */
  mintPresenceTicket: (viewer: Viewer, peers: readonly string[]) => Promise<SignedToken>;
  getUser: (userId: string) => Promise<PublicUser | null>;
  /** Public fields of many users in one statement (an IN on the shard key); unknown ids left out. */
  getUsers: (userIds: readonly string[]) => Promise<PublicUser[]>;
  findUserByHandle: (handle: string) => Promise<PublicUser | null>;
  listClients: (userId: string) => Promise<ClientInfo[]>;
  /** False when the client is not this user's. Revoking a browser revokes its tabs too. */
  revokeClient: (userId: string, clientId: string) => Promise<boolean>;
  /** The configured OIDC providers (ids and names only). */
  oidcProviders: { id: string; name: string }[];
  oidcStart: OidcHandler;
  oidcCallback: OidcHandler;
};

/** The UAA. Built once per process; every method is safe to call concurrently. */
export function createAuthService(config: AuthConfig, deps: AuthDeps): AuthService {
  const keys = loadKeys(config);
  const revocations = createRevocationCache(deps.db, config.revocationCacheMs);
  const signInWithPassword = createPasswordSignIn(deps, config);
  const appOrigin = new URL(config.appUrl).origin;
  const tabLimiter = createTabRateLimiter(deps.redis, config.tabRateLimit ?? DEFAULT_TAB_RATE_LIMIT);
  const signUpLimiter = createSignUpRateLimiter(
    deps.redis,
    config.signUpRateLimit ?? DEFAULT_SIGN_UP_RATE_LIMIT,
  );
  const oidcStartLimiter = createOidcStartRateLimiter(
    deps.redis,
    config.oidcStartRateLimit ?? DEFAULT_OIDC_START_RATE_LIMIT,
  );
  const oidc = createOidcHandlers(deps, config, keys, { signUp: signUpLimiter, start: oidcStartLimiter });

  const assertSameOrigin = (headers: Headers) => {
    if (isCrossSiteWrite(headers, appOrigin)) {
      throw new AuthError("FORBIDDEN", "cross-site request refused", { reason: ERROR_REASON.CROSS_SITE });
    }
  };

  const revoke = async (userId: string, clientId: string) => {
    const revoked = await revokeClient(deps, userId, clientId);
    for (const id of revoked ?? []) revocations.markRevoked(userId, id);
    return revoked !== null;
  };

  return {
    resolveViewer: createViewerResolver(deps, config, keys),
    isClientRevoked: (viewer) => revocations.isRevoked(viewer.userId, viewer.clientId),
    assertSameOrigin,
    async signUp(input, request) {
      // A cookie set from another site's form would sign the victim into the attacker's account.
      if (request.mode === "cookie") assertSameOrigin(request.headers);
      // Before argon2 and the handle claim: a refused sign-up costs neither CPU nor a handle.
      await signUpLimiter.take(request.ip);
      const userId = await signUpWithPassword(deps, input);
      return startClientSession(deps, config, keys, userId, request);
    },
    async signIn(input, request) {
      if (request.mode === "cookie") assertSameOrigin(request.headers);
      const userId = await signInWithPassword(input, request.ip);
      return startClientSession(deps, config, keys, userId, request);
    },
    async refresh(refreshToken) {
      const rotated = await rotateRefreshToken(
        deps,
        {
          secret: config.refreshTokenSecret,
          ttlSeconds: config.refreshTokenTtlSeconds,
          tabTtlSeconds: config.tabRefreshTtlSeconds,
          graceSeconds: config.refreshGraceSeconds,
          revokeClient: revoke,
        },
        refreshToken,
      );
      const access = await signAccessToken(await keys.accessPrivate, rotated, config.accessTokenTtlSeconds);
      return { accessToken: access.token, refreshToken: rotated.refreshToken, expiresAt: access.expiresAt };
    },
    async openTab(viewer, input) {
      // Bearer callers (tabs, phones, CLIs) cannot mint clients: only the browser's cookie can.
      if (viewer.via !== "cookie")
        throw new AuthError("FORBIDDEN", "tabs are opened with the browser session", {
          reason: ERROR_REASON.NOT_A_BROWSER_SESSION,
        });
      await tabLimiter.take(viewer.clientId);
      return openTabSession(deps, config, keys, viewer, input.name);
    },
    closeTab: (refreshToken) => lingerRefreshToken(deps.db, refreshToken, TAB_CLOSE_LINGER_SECONDS),
    async signOut(viewer) {
      // Signing out of one tab signs the browser out: its cookie client and, with it, every tab.
      const row = await readClient(deps.db, viewer.userId, viewer.clientId);
      const target = row?.parentClientId ?? viewer.clientId;
      await revoke(viewer.userId, target);
      return {
        clearCookie: deleteCookie(sessionCookieName(config), { secure: config.secureCookies }),
        browser: viewer.via === "cookie" || Boolean(row?.parentClientId),
      };
    },
    async mintRealtimeToken(viewer, bigDialogIds = []) {
      return signRealtimeToken(await keys.realtimePrivate, viewer, bigDialogIds);
    },
    async mintPresenceTicket(viewer, peers) {
      return signPresenceTicket(await keys.realtimePrivate, viewer, peers);
    },
    getUser: (userId) => getUser(deps.db, userId),
    getUsers: (userIds) => getUsers(deps.db, userIds),
    findUserByHandle: (handle) => findUserByHandle(deps.db, handle),
    listClients: (userId) => listClients(deps.db, userId),
    revokeClient: revoke,
    oidcProviders: config.oidcProviders.map((provider) => ({
      id: provider.id,
      name: provider.name ?? provider.id,
    })),
    oidcStart: oidc.start,
    oidcCallback: oidc.callback,
  };
}
