import { type ApiServices, appRouter, createContext, loggable } from "@parley/api";
import { apiSecurityHeaders, applySecurityHeaders } from "@parley/api/http";
import { clientIpFrom } from "@parley/auth";
import { MAX_TRPC_BATCH_SIZE } from "@parley/protocol";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

export const TRPC_ENDPOINT = "/api/trpc";

export type HandlerOptions = {
  services: ApiServices;
  trustedProxies: number;
  /** Every path outside /api/trpc is forwarded here (the Next.js server); unset = 404. */
  nextOrigin?: string;
};

/**
 * One request: /api/trpc/* is the same appRouter Next mounts, served without the Next.js layer
 * (half of the API's CPU per message went there); anything else is proxied to Next, so browsers
 * and apps see one origin.
 */
export function createHandler(options: HandlerOptions) {
  const { services, trustedProxies, nextOrigin } = options;
  return async (req: Request, peer: string | null): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname === TRPC_ENDPOINT || url.pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      const answer = await fetchRequestHandler({
        endpoint: TRPC_ENDPOINT,
        req,
        router: appRouter,
        maxBatchSize: MAX_TRPC_BATCH_SIZE,
        createContext: ({ resHeaders }) =>
          createContext(
            services,
            { headers: req.headers, ip: clientIpFrom(req.headers, { trustedProxies, peer }) },
            resHeaders,
          ),
        onError({ error, path }) {
          if (error.code === "INTERNAL_SERVER_ERROR")
            // Query text and codes only: parameter values (hashes, e-mails) never reach the logs.
            console.error(`[api] ${path ?? "?"}:`, loggable(error.cause ?? error));
        },
      });
      // Pages and assets carry the headers Next sets; JSON answers get the API's (@parley/api/http).
      applySecurityHeaders(answer.headers, apiSecurityHeaders());
      return answer;
    }
    if (url.pathname === "/healthz") return new Response("ok");
    if (!nextOrigin) return new Response("not found", { status: 404 });
    return proxyToNext(req, url, nextOrigin, clientIpFrom(req.headers, { trustedProxies, peer }));
  };
}

/**
 * Pages, assets and the OIDC routes, forwarded to the Next.js server. The client's address goes in
 * a fresh X-Forwarded-For (Next trusts exactly this one hop); bodies stream both ways; redirects are
 * passed through for the browser to follow.
 */
async function proxyToNext(req: Request, url: URL, nextOrigin: string, ip: string | null): Promise<Response> {
  const headers = new Headers(req.headers);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  if (ip) headers.set("x-forwarded-for", ip);
  else headers.delete("x-forwarded-for");
  // Loopback hop: no compression (fetch would decode it and the browser would decode it again).
  headers.set("accept-encoding", "identity");
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  try {
    const answer = await fetch(`${nextOrigin}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      redirect: "manual",
      ...(hasBody ? { body: req.body, duplex: "half" } : {}),
    } as RequestInit);
    return new Response(answer.body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
  } catch (error) {
    console.error("[api] the web server did not answer:", error instanceof Error ? error.message : error);
    return new Response("the web server is starting or down; try again", { status: 502 });
  }
}
