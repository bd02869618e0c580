import { type ApiServices, appRouter, createContext, loggable } from "@parley/api";
import { apiSecurityHeaders, applySecurityHeaders, limitRequestBody } from "@parley/api/http";
import { clientIpFrom } from "@parley/auth";
import { ATTACHMENT_UPLOAD_PATH, MAX_TRPC_BATCH_SIZE } from "@parley/protocol";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { callerKey, procedurePaths } from "./caller-key";
import { gateRefusal } from "./gate-refusal";
import type { RequestGate } from "./request-gate";

export const TRPC_ENDPOINT = "/api/trpc";

export type HandlerOptions = {
  services: ApiServices;
  trustedProxies: number;
  /** What refusals may cost before tRPC runs (src/request-gate.ts); unset = no gate. */
  gate?: RequestGate;
  /** `/api/attachments…` (upload and download); unset = those paths go on like any other. */
  attachments?: (req: Request, ip: string | null) => Promise<Response | null>;
  /** Largest body of any other request (413 past it, before parsing); unset = Bun.serve's cap only. */
  maxRequestBytes?: number;
  /** Every path outside /api/trpc is forwarded here (the Next.js server); unset = 404. */
  nextOrigin?: string;
};

/**
 * One request: /api/trpc/* is the same appRouter Next mounts, served without the Next.js layer
 * (half of the API's CPU per message went there); anything else is proxied to Next, so browsers
 * and apps see one origin.
 */
export function createHandler(options: HandlerOptions) {
  const { attachments, maxRequestBytes } = options;
  const { services, trustedProxies, nextOrigin, gate } = options;

  const serveTrpc = async (req: Request, url: URL, peer: string | null): Promise<Response> => {
    const ip = clientIpFrom(req.headers, { trustedProxies, peer });
    const key = gate ? callerKey(req.headers, ip) : "";
    const paths = gate ? procedurePaths(url.pathname, TRPC_ENDPOINT) : [];
    const verdict = gate?.admit(key, paths);
    try {
      if (verdict && verdict.waitMs > 0) await Bun.sleep(verdict.waitMs);
      if (verdict?.kind === "refuse") {
        const refusal = gateRefusal(paths, url.searchParams.has("batch"), verdict.retryAfterMs);
        applySecurityHeaders(refusal.headers, apiSecurityHeaders());
        return refusal;
      }
      return await callTrpc(req, ip, key);
    } finally {
      verdict?.release();
    }
  };

  const callTrpc = async (req: Request, ip: string | null, key: string): Promise<Response> => {
    const answer = await fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req,
      router: appRouter,
      maxBatchSize: MAX_TRPC_BATCH_SIZE,
      createContext: ({ resHeaders }) => createContext(services, { headers: req.headers, ip }, resHeaders),
      onError({ error, path }) {
        if (gate && error.code === "TOO_MANY_REQUESTS" && path) {
          // This caller's next calls to `path` wait for the budget's window instead of costing a request.
          const retryAfterMs = (error.cause as { details?: { retryAfterMs?: unknown } } | undefined)?.details
            ?.retryAfterMs;
          if (typeof retryAfterMs === "number") gate.refused(key, path, retryAfterMs);
        }
        if (error.code === "INTERNAL_SERVER_ERROR")
          // Query text and codes only: parameter values (hashes, e-mails) never reach the logs.
          console.error(`[api] ${path ?? "?"}:`, loggable(error.cause ?? error));
      },
    });
    // Pages and assets carry the headers Next sets; JSON answers get the API's (@parley/api/http).
    applySecurityHeaders(answer.headers, apiSecurityHeaders());
    return answer;
  };

  const serve = async (req: Request, peer: string | null): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname === TRPC_ENDPOINT || url.pathname.startsWith(`${TRPC_ENDPOINT}/`))
      return serveTrpc(req, url, peer);
    if (url.pathname === "/healthz") return new Response("ok");
    if (!nextOrigin) return new Response("not found", { status: 404 });
    return proxyToNext(req, url, nextOrigin, clientIpFrom(req.headers, { trustedProxies, peer }));
  };

  return async (incoming: Request, peer: string | null): Promise<Response> => {
    // Uploads stream to storage under their own limits (@parley/attachments): one handler, here and in Next.
    if (attachments && new URL(incoming.url).pathname.startsWith(ATTACHMENT_UPLOAD_PATH)) {
      const answer = await attachments(incoming, clientIpFrom(incoming.headers, { trustedProxies, peer }));
      if (answer) return answer;
    }
    // Bun.serve's own cap is raised for uploads: every other body keeps the API's, 413 before parsing.
    const req = maxRequestBytes === undefined ? incoming : await limitRequestBody(incoming, maxRequestBytes);
    if (req instanceof Response) return req;
    return serve(req, peer);
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
