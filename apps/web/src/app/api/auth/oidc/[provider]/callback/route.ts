import { clientIp } from "~/server/client-ip";
import { getApiServices } from "~/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The provider sends the browser back here; success sets the session cookie and redirects. */
export async function GET(request: Request): Promise<Response> {
  const services = await getApiServices();
  return services.auth.oidcCallback(request, { ip: clientIp(request.headers) });
}
