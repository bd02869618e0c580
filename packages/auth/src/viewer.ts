import { ERROR_REASON } from "@parley/protocol";
import { sessionCookieName } from "./client-session";
import type { AuthConfig } from "./config";
import { deleteCookie, readCookie, serializeCookie } from "./cookies";
import { isCrossSiteRequest } from "./cross-site";
import type { AuthDeps } from "./deps";
import { AuthError } from "./errors";
import { verifyAccessToken } from "./jwt";
import type { AuthKeys } from "./keys";
import { validateBrowserSession } from "./sessions";
import { VerifiedTokenCache } from "./verified-tokens";

export type Viewer = { userId: string; clientId: string; via: "cookie" | "bearer" };
export type ViewerRequest = { headers: Headers; ip: string | null };

/**
 * Resolves who is calling. A bearer token is an explicit credential: a bad or expired one throws
 * (the client must refresh). A cookie is ambient: a bad one is ignored (and cleared) so a stale cookie
 * never blocks signing in again, and a cross-site request carrying it is refused outright (CSRF).
 */
export function createViewerResolver(deps: AuthDeps, config: AuthConfig, keys: AuthKeys) {
  const cookieName = sessionCookieName(config);
  const appOrigin = new URL(config.appUrl).origin;

  const verified = new VerifiedTokenCache();

  return async (req: ViewerRequest, resHeaders?: Headers): Promise<Viewer | null> => {
    const authorization = req.headers.get("authorization");
    if (authorization?.startsWith("Bearer ")) {
      const token = authorization.slice(7).trim();
      let claims = verified.get(token);
      if (!claims) {
        claims = await verifyAccessToken(await keys.accessPublic, token);
        verified.set(token, claims);
      }
      return { userId: claims.userId, clientId: claims.clientId, via: "bearer" };
    }
    const token = readCookie(req.headers, cookieName);
    if (!token) return null;
    if (isCrossSiteRequest(req.headers, appOrigin)) {
      throw new AuthError("FORBIDDEN", "cross-site request refused", { reason: ERROR_REASON.CROSS_SITE });
    }
    const session = await validateBrowserSession(deps.db, token, config.sessionTtlSeconds);
    if (!session) {
      resHeaders?.append("set-cookie", deleteCookie(cookieName, { secure: config.secureCookies }));
      return null;
    }
    if (session.renewed) {
      // Sliding expiry: the browser's copy must live as long as the server's.
      resHeaders?.append(
        "set-cookie",
        serializeCookie(cookieName, token, {
          maxAgeSeconds: (session.expiresAt.getTime() - Date.now()) / 1000,
          secure: config.secureCookies,
        }),
      );
    }
    return { userId: session.userId, clientId: session.clientId, via: "cookie" };
  };
}
