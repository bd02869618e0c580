import { limitRequestBody, MAX_BEACON_BODY_BYTES } from "@parley/api/http";
import { withApiSecurityHeaders } from "~/server/security-headers";
import { getApiServices } from "~/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * A tab's `pagehide` beacon (`navigator.sendBeacon`, so text/plain JSON `{ refreshToken }`): the
 * tab's refresh token now lapses within two minutes unless the tab comes back (a reload refreshes at
 * once). Authorised by the refresh token alone, like `auth.refresh`; the answer carries nothing (a
 * beacon never reads it) and says nothing about the token.
 */
export async function POST(request: Request): Promise<Response> {
  return withApiSecurityHeaders(await closeTab(request));
}

async function closeTab(request: Request): Promise<Response> {
  // Counted as it streams: a beacon is tiny, and nothing past the cap is read.
  const limited = await limitRequestBody(request, MAX_BEACON_BODY_BYTES);
  if (limited instanceof Response) return limited;
  const text = await limited.text();
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
