import { describe, expect, test } from "bun:test";
import { limitRequestBody } from "./body-limit";

/** A chunked body (no Content-Length) of `chunks` × `size` bytes that records how much was pulled. */
function streamedBody(chunks: number, size: number) {
  let pulled = 0;
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      pulled += size;
      controller.enqueue(new Uint8Array(size).fill(120));
    },
  });
  return { stream, pulled: () => pulled };
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://app.test/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("limitRequestBody", () => {
  test("a declared Content-Length over the limit is 413 before a byte is read", async () => {
    const body = streamedBody(10, 1024);
    const checked = await limitRequestBody(post(body.stream, { "content-length": String(10 * 1024) }), 1024);
    expect(checked).toBeInstanceOf(Response);
    expect((checked as Response).status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(1024);
  });

  test("a chunked body is counted as it streams and cut off just past the limit", async () => {
    const body = streamedBody(2_000, 1024); // 2 MB offered
    const checked = await limitRequestBody(post(body.stream), 64 * 1024);
    expect((checked as Response).status).toBe(413);
    // Read no further than one chunk past the limit.
    expect(body.pulled()).toBeLessThanOrEqual(65 * 1024);
  });

  test("a body within the limit is passed on whole, readable again", async () => {
    const json = JSON.stringify({ hello: "wörld" });
    const checked = await limitRequestBody(post(json, { "content-type": "application/json" }), 1024);
    expect(checked).toBeInstanceOf(Request);
    const request = checked as Request;
    expect(await request.json()).toEqual({ hello: "wörld" });
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.method).toBe("POST");
  });

  test("requests without a body pass untouched; a bad Content-Length is 400", async () => {
    const get = new Request("http://app.test/api/x?input=1");
    expect(await limitRequestBody(get, 0)).toBe(get);
    const lying = await limitRequestBody(post("abc", { "content-length": "-5" }), 1024);
    expect((lying as Response).status).toBe(400);
  });
});
