import { handleAuthForm } from "~/server/form-auth";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The sign-in form's no-JavaScript path (see form-auth.ts). */
export function POST(request: Request): Promise<Response> {
  return handleAuthForm(request, "sign-in");
}
