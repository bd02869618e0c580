import { type ErrorCode, isParleyError } from "@parley/protocol";
import { UPLOAD_REFUSAL } from "../upload";

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  PRECONDITION_FAILED: 412,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * Headers on every attachment answer: the browser must take the type we send (never guess one from
 * the bytes), nothing served here may run as a page, and other sites cannot embed it.
 */
export function baseHeaders(): Headers {
  return new Headers({
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cross-origin-resource-policy": "same-origin",
    "referrer-policy": "no-referrer",
  });
}

export function json(status: number, body: unknown, extra?: Record<string, string>): Response {
  const headers = baseHeaders();
  headers.set("content-type", "application/json");
  headers.set("cache-control", "no-store");
  for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value);
  return new Response(JSON.stringify(body), { status, headers });
}

/** A refusal in the tRPC error's shape (`code`, `message`, `details`); anything unknown is an opaque 500. */
export function errorResponse(error: unknown): Response {
  if (!isParleyError(error)) {
    console.error("[attachments]", error instanceof Error ? error.message : error);
    return json(500, { error: { code: "INTERNAL_SERVER_ERROR", message: "internal error" } });
  }
  const refusal = error.details?.refusal;
  const status =
    refusal === UPLOAD_REFUSAL.TOO_LARGE
      ? 413
      : refusal === UPLOAD_REFUSAL.UNSUPPORTED_TYPE
        ? 415
        : STATUS[error.code];
  const retryAfterMs = error.details?.retryAfterMs;
  const extra: Record<string, string> =
    typeof retryAfterMs === "number" ? { "retry-after": String(Math.ceil(retryAfterMs / 1000)) } : {};
  const details = error.code === "INTERNAL_SERVER_ERROR" ? undefined : error.details;
  return json(
    status,
    { error: { code: error.code, message: error.message, ...(details ? { details } : {}) } },
    extra,
  );
}
