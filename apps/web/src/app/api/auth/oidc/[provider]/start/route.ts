import { limitRequestBody, MAX_OIDC_BODY_BYTES } from "@parley/api/http";
import { clientIp } from "~/server/client-ip";
import { withApiSecurityHeaders } from "~/server/security-headers";
import { getApiServices } from "~/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Redirects to the provider (PKCE + state + nonce are the auth package's job). */
export async function GET(request: Request): Promise<Response> {
  return withApiSecurityHeaders(await start(request));
}

async function start(request: Request): Promise<Response> {
  const limited = await limitRequestBody(request, MAX_OIDC_BODY_BYTES);
  if (limited instanceof Response) return limited;
  const services = await getApiServices();
  // Budgeted per client IP: each start stores a flow in Redis for ten minutes.
  return services.auth.oidcStart(limited, { ip: clientIp(limited.headers) });
}
