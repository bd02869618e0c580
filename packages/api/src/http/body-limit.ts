/**
 * Request-body caps for every HTTP front of the API (the Next route handlers, the Bun.serve API
 * server): a body is refused with 413 *before* anything parses it. A declared Content-Length over
 * the cap is refused without reading a byte; a chunked body (no length) is counted as it streams and
 * cut off one chunk past the cap, so a client cannot make a process buffer hundreds of megabytes
 * (each tRPC call would otherwise JSON.parse whatever it is sent, signed in or not).
 */

/** tRPC (`/api/trpc`): a batch of 20 sends of 4,000-character texts is ~350 KB; a 999-member group ~25 KB. */
export const MAX_TRPC_BODY_BYTES = 1024 * 1024;
/** A closing tab's beacon: `{ refreshToken }`. */
export const MAX_BEACON_BODY_BYTES = 1024;
/** Sign-in and sign-up form posts (handle, display name, password, a few hidden fields). */
export const MAX_FORM_BODY_BYTES = 16 * 1024;
/** OIDC start and callback are GET navigations: nothing they need travels in a body. */
export const MAX_OIDC_BODY_BYTES = 8 * 1024;

function refuse(status: 400 | 413): Response {
  const text = status === 413 ? "request body too large" : "bad Content-Length";
  return new Response(text, { status, headers: { "content-type": "text/plain", connection: "close" } });
}

/**
 * The request with its body read into memory (at most `maxBytes`) and attached again, so the caller
 * can hand it to any parser; or the 413 (400 for a malformed Content-Length) to answer instead.
 * Requests without a body are returned as they are.
 */
export async function limitRequestBody(request: Request, maxBytes: number): Promise<Request | Response> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared.trim())) return refuse(400);
    if (Number(declared) > maxBytes) {
      await request.body?.cancel().catch(() => {});
      return refuse(413);
    }
  }
  // A GET or HEAD body is never read by anyone (the runtime drains it): nothing to count.
  if (request.body === null || request.method === "GET" || request.method === "HEAD") return request;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    // A Content-Length that lies (or none at all): stop reading at the cap.
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return refuse(413);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
  });
}
