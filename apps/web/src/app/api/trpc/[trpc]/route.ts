import { appRouter, createContext, loggable } from "@parley/api";
import { limitRequestBody, MAX_TRPC_BODY_BYTES } from "@parley/api/http";
import { MAX_TRPC_BATCH_SIZE } from "@parley/protocol";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { clientIp } from "~/server/client-ip";
import { withApiSecurityHeaders } from "~/server/security-headers";
import { getApiServices } from "~/server/services";

// Sessions, databases and sockets: never static, always Node.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(request: Request): Promise<Response> {
  return withApiSecurityHeaders(await answer(request));
}

async function answer(request: Request): Promise<Response> {
  // Before anything parses it, signed in or not (tRPC would JSON.parse whatever arrives).
  const req = await limitRequestBody(request, MAX_TRPC_BODY_BYTES);
  if (req instanceof Response) return req;
  const services = await getApiServices();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    maxBatchSize: MAX_TRPC_BATCH_SIZE,
    // resHeaders is the adapter's response header bag: procedures set Set-Cookie on it.
    createContext: ({ resHeaders }) =>
      createContext(services, { headers: req.headers, ip: clientIp(req.headers) }, resHeaders),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        // Query text and codes only: parameter values (hashes, e-mails) never reach the logs.
        console.error(`[trpc] ${path ?? "?"}:`, loggable(error.cause ?? error));
    },
  });
}

export { handler as GET, handler as POST };
