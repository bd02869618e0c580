import { getApiServices } from "~/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Redirects to the provider (PKCE + state + nonce are the auth package's job). */
export async function GET(request: Request): Promise<Response> {
  const services = await getApiServices();
  return services.auth.oidcStart(request);
}
