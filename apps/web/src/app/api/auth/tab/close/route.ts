import { getApiServices } from "~/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const MAX_BODY = 1024;

/**
 * A tab's `pagehide` beacon (`navigator.sendBeacon`, so text/plain JSON `{ refreshToken }`): the
 * tab's refresh token now lapses within two minutes unless the tab comes back (a reload refreshes at
 * once). Authorised by the refresh token alone, like `auth.refresh`; the answer carries nothing (a
 * beacon never reads it) and says nothing about the token.
 */
export async function POST(request: Request): Promise<Response> {
  const text = await request.text();
  if (text.length > MAX_BODY) return new Response(null, { status: 413 });
  let refreshToken: unknown = null;
  try {
    refreshToken = (JSON.parse(text) as { refreshToken?: unknown } | null)?.refreshToken;
  } catch {
    // Not JSON: refused below.
  }
  if (typeof refreshToken !== "string" || refreshToken.length === 0 || refreshToken.length > 256) {
    return new Response(null, { status: 400 });
  }
  try {
    const services = await getApiServices();
    await services.auth.closeTab(refreshToken);
  } catch {
    // Best effort (the token lapses on its own); no details: they could name the token's row.
    console.error("[web] tab close beacon failed");
    return new Response(null, { status: 503 });
  }
  return new Response(null, { status: 204 });
}
