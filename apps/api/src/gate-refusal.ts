/**
 * The gate's 429, shaped as tRPC shapes a TOO_MANY_REQUESTS error (one per call of a batch), so every
 * client handles it as it handles a budget refusal inside the API: wait `retryAfterMs`, retry.
 */
const TRPC_TOO_MANY_REQUESTS = -32029;

export function gateRefusal(paths: readonly string[], batch: boolean, retryAfterMs: number): Response {
  const error = (path: string | undefined) => ({
    error: {
      message: "too many requests from this client; retry later",
      code: TRPC_TOO_MANY_REQUESTS,
      data: {
        code: "TOO_MANY_REQUESTS",
        httpStatus: 429,
        ...(path ? { path } : {}),
        details: { retryAfterMs, scope: "gate" },
      },
    },
  });
  const body = batch ? paths.map(error) : error(paths[0]);
  return Response.json(body, {
    status: 429,
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
}
