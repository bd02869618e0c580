import { limitRequestBody, MAX_OIDC_BODY_BYTES } from "@parley/api/http";
import { clientIp } from "~/server/client-ip";
import { withApiSecurityHeaders } from "~/server/security-headers";
import { getApiServices } from "~/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The provider sends the browser back here; success sets the session cookie and redirects. */
export async function GET(request: Request): Promise<Response> {
  return withApiSecurityHeaders(await callback(request));
}

async function callback(request: Request): Promise<Response> {
  const limited = await limitRequestBody(request, MAX_OIDC_BODY_BYTES);
  if (limited instanceof Response) return limited;
  const services = await getApiServices();
  return services.auth.oidcCallback(limited, { ip: clientIp(limited.headers) });
}
