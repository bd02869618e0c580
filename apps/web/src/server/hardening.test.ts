/**
 * The web app's own fronts, called as Next calls them: request bodies are capped before anything
 * parses them (a chunked body is counted as it streams), and the proxy puts the security headers on
 * every response. apps/web/e2e/hardening.test.ts checks the same on a running production build.
 */
import { describe, expect, test } from "bun:test";
import { NextRequest } from "next/server";
import { POST as signInForm } from "../app/api/auth/sign-in/route";
import { POST as closeTab } from "../app/api/auth/tab/close/route";
import { POST as trpcPost } from "../app/api/trpc/[trpc]/route";
import { proxy, config as proxyConfig } from "../proxy";

/** A chunked body of `chunks` × 64 KiB that records how many bytes were pulled from it. */
function streamedBody(chunks: number) {
  let pulled = 0;
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      pulled += 65_536;
      controller.enqueue(new Uint8Array(65_536).fill(32));
    },
  });
  return { stream, pulled: () => pulled };
}

const post = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("request bodies are capped before parsing", () => {
  test("tRPC: a 200 MB declared body is 413 without being read", async () => {
    const body = streamedBody(3_200);
    const response = await trpcPost(
      post("http://app.test/api/trpc/auth.signIn", body.stream, {
        "content-type": "application/json",
        "content-length": String(200 * 1024 * 1024),
      }),
    );
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(65_536);
  });

  test("tRPC: a chunked body is cut off at the cap (1 MiB), not read to its end", async () => {
    const body = streamedBody(3_200); // 200 MiB offered
    const response = await trpcPost(post("http://app.test/api/trpc/dialog.createGroup", body.stream));
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(1024 * 1024 + 65_536);
  });

  test("the tab-close beacon reads at most one chunk past its 1 KB cap", async () => {
    const body = streamedBody(3_200);
    const response = await closeTab(post("http://app.test/api/auth/tab/close", body.stream));
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(65_536);
  });
});

test("the no-JavaScript sign-in form post reads at most one chunk past its 16 KB cap", async () => {
  const body = streamedBody(3_200);
  const response = await signInForm(
    post("http://app.test/api/auth/sign-in", body.stream, {
      "content-type": "application/x-www-form-urlencoded",
    }),
  );
  expect(response.status).toBe(413);
  expect(body.pulled()).toBeLessThanOrEqual(16 * 1024 + 65_536);
});

describe("the proxy sets the security headers on every response", () => {
  test("pages: no framing, a CSP that allows the realtime gateway, nosniff, a strict referrer policy", () => {
    for (const path of ["/sign-in", "/chat/123", "/_next/static/chunks/app.js"]) {
      const headers = proxy(
        new NextRequest(`http://app.test${path}`, { headers: { cookie: "parley_session=x" } }),
      ).headers;
      expect(headers.get("x-frame-options")).toBe("DENY");
      expect(headers.get("x-content-type-options")).toBe("nosniff");
      expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      const csp = headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:3001(;|$)/);
    }
  });

  test("the sign-in redirect carries them too", () => {
    const redirect = proxy(new NextRequest("http://app.test/devices"));
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("http://app.test/sign-in");
    expect(redirect.headers.get("x-frame-options")).toBe("DENY");
  });

  test("route handlers under /api are not the proxy's (Next would receive whole bodies first) and set their own", async () => {
    const matcher = new RegExp(`^${proxyConfig.matcher[0]}$`);
    expect(matcher.test("/api/trpc/user.me")).toBe(false);
    expect(matcher.test("/sign-in")).toBe(true);
    expect(matcher.test("/_next/static/chunks/app.js")).toBe(true);
    const refused = await closeTab(post("http://app.test/api/auth/tab/close", "x".repeat(2048)));
    expect(refused.status).toBe(413);
    expect(refused.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(refused.headers.get("x-frame-options")).toBe("DENY");
    const trpc = await trpcPost(post("http://app.test/api/trpc/auth.signIn", "x".repeat(2 * 1024 * 1024)));
    expect(trpc.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
