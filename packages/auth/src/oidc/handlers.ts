import { isParleyError } from "@parley/protocol";
import {
  CodeChallengeMethod,
  generateCodeVerifier,
  generateState,
  OAuth2Client,
  OAuth2RequestError,
} from "arctic";
import { z } from "zod";
import { type ClientRequest, startClientSession } from "../client-session";
import type { AuthConfig, OidcProviderConfig } from "../config";
import { deleteCookie, readCookie, serializeCookie } from "../cookies";
import type { AuthDeps } from "../deps";
import type { AuthKeys } from "../keys";
import { generateSecret, hashesEqual, hashToken } from "../tokens";
import { createDiscoveryCache } from "./discovery";
import { OidcError } from "./errors";
import { verifyIdToken } from "./id-token";
import { linkIdentity } from "./identity";
import { safeReturnTo } from "./return-to";

const STATE_COOKIE = "parley_oidc_state";
const FLOW_TTL_SECONDS = 600;
const PATH_PATTERN = /\/oidc\/([a-z0-9][a-z0-9-]{0,31})\/(start|callback)\/?$/;

const ZFlow = z.object({
  providerId: z.string(),
  codeVerifier: z.string(),
  nonce: z.string(),
  returnTo: z.string(),
  clientName: z.string().optional(),
});
type Flow = z.infer<typeof ZFlow>;

/** `ip`: the client's address as the web app's trusted proxy chain tells it (first logins count against the sign-up budget). */
export type OidcHandler = (request: Request, client?: { ip: string | null }) => Promise<Response>;

/** What the handlers need from the rest of the UAA. */
export type OidcLimits = {
  signUp: { take: (ip: string | null) => Promise<void> };
  start: { take: (ip: string | null) => Promise<void> };
};

function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status: 302, headers });
}

/**
 * OIDC sign-in as two plain fetch handlers (mounted by the web app at
 * /api/auth/oidc/<provider>/start and /callback). Authorization code + PKCE + state + nonce via Arctic;
 * the ID token is verified with jose before anything is written.
 */
export function createOidcHandlers(deps: AuthDeps, config: AuthConfig, keys: AuthKeys, limits: OidcLimits) {
  const discover = createDiscoveryCache();
  const providers = new Map(config.oidcProviders.map((provider) => [provider.id, provider]));
  const cookieOptions = { secure: config.secureCookies, path: "/api/auth/oidc" };
  const flowKey = (state: string) => `auth:oidc:flow:${hashToken(state)}`;

  const redirectUri = (provider: OidcProviderConfig) =>
    new URL(`/api/auth/oidc/${provider.id}/callback`, config.appUrl).toString();
  const clientFor = (provider: OidcProviderConfig) =>
    new OAuth2Client(provider.clientId, provider.clientSecret, redirectUri(provider));

  function providerFrom(request: Request, action: "start" | "callback"): OidcProviderConfig {
    const match = PATH_PATTERN.exec(new URL(request.url).pathname);
    const provider = match?.[2] === action && match[1] ? providers.get(match[1]) : undefined;
    if (!provider) throw new OidcError("unknown_provider", "unknown OIDC provider");
    return provider;
  }

  function fail(error: unknown): Response {
    const rateLimited = isParleyError(error) && error.code === "TOO_MANY_REQUESTS";
    const code =
      error instanceof OidcError ? error.code : rateLimited ? "too_many_requests" : "provider_error";
    if (!(error instanceof OidcError) && !rateLimited) {
      // Unexpected: log the kind, never the request (it carries codes and cookies).
      console.error("[auth] OIDC callback failed:", error instanceof Error ? error.name : "unknown error");
    }
    const target = new URL(config.signInPath, config.appUrl);
    target.searchParams.set("error", code);
    return redirect(target.toString(), [deleteCookie(STATE_COOKIE, cookieOptions)]);
  }

  const start: OidcHandler = async (request, client) => {
    try {
      const provider = providerFrom(request, "start");
      // Before anything is stored: each start keeps a flow in Redis for FLOW_TTL_SECONDS.
      await limits.start.take(client?.ip ?? null);
      const metadata = await discover(provider.issuer);
      const url = new URL(request.url);
      // state: binds the callback to this browser (CSRF); PKCE: binds the code to this flow (code
      // interception); nonce: binds the ID token to this flow (token replay).
      const state = generateState();
      const codeVerifier = generateCodeVerifier();
      const nonce = generateSecret();
      const flow: Flow = {
        providerId: provider.id,
        codeVerifier,
        nonce,
        returnTo: safeReturnTo(url.searchParams.get("returnTo"), config.appUrl),
        clientName: url.searchParams.get("clientName")?.slice(0, 128) || undefined,
      };
      // The verifier and nonce stay server-side (Redis, single use, 10 min); the browser holds only state.
      await deps.redis.set(flowKey(state), JSON.stringify(flow), "EX", FLOW_TTL_SECONDS);
      const authorizationUrl = clientFor(provider).createAuthorizationURLWithPKCE(
        metadata.authorizationEndpoint,
        state,
        CodeChallengeMethod.S256,
        codeVerifier,
        provider.scopes,
      );
      authorizationUrl.searchParams.set("nonce", nonce);
      return redirect(authorizationUrl.toString(), [
        serializeCookie(STATE_COOKIE, state, { ...cookieOptions, maxAgeSeconds: FLOW_TTL_SECONDS }),
      ]);
    } catch (error) {
      return fail(error);
    }
  };

  const callback: OidcHandler = async (request, client) => {
    try {
      const provider = providerFrom(request, "callback");
      const url = new URL(request.url);
      if (url.searchParams.get("error")) {
        throw new OidcError("provider_error", "the provider refused the sign-in");
      }
      const state = url.searchParams.get("state");
      const code = url.searchParams.get("code");
      const cookieState = readCookie(request.headers, STATE_COOKIE);
      // The state in the URL must be the one this browser started with (login CSRF).
      if (!state || !code || !cookieState || !hashesEqual(state, cookieState)) {
        throw new OidcError("state_mismatch", "sign-in state does not match this browser");
      }
      // GETDEL: a flow is single use, so a replayed callback finds nothing.
      const stored = await deps.redis.getdel(flowKey(state));
      const flow = stored ? ZFlow.safeParse(JSON.parse(stored)) : null;
      if (!flow?.success || flow.data.providerId !== provider.id) {
        throw new OidcError("flow_expired", "sign-in expired or was already used; start again");
      }
      const metadata = await discover(provider.issuer);
      const idToken = await exchangeCode(
        clientFor(provider),
        metadata.tokenEndpoint,
        code,
        flow.data.codeVerifier,
      );
      const claims = await verifyIdToken(idToken, {
        jwks: metadata.jwks,
        issuer: provider.issuer,
        clientId: provider.clientId,
        nonce: flow.data.nonce,
      });
      // Only now, with a verified identity, does anything get written.
      // A first login creates an account: it spends the same per-IP budget as a password sign-up.
      const userId = await linkIdentity(deps, provider.issuer, claims, () =>
        limits.signUp.take(client?.ip ?? null),
      );
      const clientRequest: ClientRequest = {
        mode: "cookie",
        clientName: flow.data.clientName,
        headers: request.headers,
      };
      const session = await startClientSession(deps, config, keys, userId, clientRequest);
      const cookies = [deleteCookie(STATE_COOKIE, cookieOptions)];
      if (session.setCookie) cookies.push(session.setCookie);
      // Checked again on the way out (a flow stored by an older build may hold anything).
      return redirect(
        new URL(safeReturnTo(flow.data.returnTo, config.appUrl), config.appUrl).toString(),
        cookies,
      );
    } catch (error) {
      return fail(error);
    }
  };

  return { start, callback };
}

async function exchangeCode(
  client: OAuth2Client,
  tokenEndpoint: string,
  code: string,
  codeVerifier: string,
): Promise<string> {
  let tokens: Awaited<ReturnType<OAuth2Client["validateAuthorizationCode"]>>;
  try {
    tokens = await client.validateAuthorizationCode(tokenEndpoint, code, codeVerifier);
  } catch (error) {
    if (error instanceof OAuth2RequestError) {
      // invalid_grant: a reused, expired or foreign code, or a PKCE verifier that does not match.
      throw new OidcError("code_rejected", `the provider rejected the authorization code (${error.code})`);
    }
    throw new OidcError("provider_unavailable", "the provider's token endpoint failed");
  }
  try {
    return tokens.idToken();
  } catch {
    throw new OidcError("id_token_missing", "the provider returned no ID token");
  }
}
