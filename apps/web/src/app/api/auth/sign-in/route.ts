import { handleAuthForm } from "~/server/form-auth";
import { withApiSecurityHeaders } from "~/server/security-headers";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The sign-in form's no-JavaScript path (see form-auth.ts). */
export async function POST(request: Request): Promise<Response> {
  return withApiSecurityHeaders(await handleAuthForm(request, "sign-in"));
}
