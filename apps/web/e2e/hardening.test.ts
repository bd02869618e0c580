/**
 * The production build, started the way `bun run start` does (server.ts), checked from outside:
 * every response carries the security headers, the app still works under its Content-Security-Policy
 * in Chromium (sign-up, the chat page, the realtime WebSocket live), oversized bodies are 413 before
 * parsing, and with no proxy (TRUSTED_PROXY_HOPS=0) a client cannot pick its own IP for the per-IP
 * budgets by writing X-Forwarded-For.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser, openContext, signUp } from "./browser";
import { buildWebApp, type Stack, startStack } from "./stack";

const SIGN_UPS_PER_IP = 2;
/** A window length no other run shares (the window is part of the key; loopback is everyone's IP). */
const SIGN_UP_WINDOW_SECONDS = 3_600 + Math.floor(Math.random() * 80_000);

let stack: Stack;
let appUrl: string;
let realtimeOrigin: string;
let browser: Browser | null = null;

beforeAll(async () => {
  await buildWebApp();
  // A stack of its own: the real per-IP sign-up budget, small, in a window only this run uses.
  stack = await startStack(async () => ({
    SIGN_UP_RATE_LIMIT_MAX: String(SIGN_UPS_PER_IP),
    SIGN_UP_RATE_LIMIT_WINDOW_SECONDS: String(SIGN_UP_WINDOW_SECONDS),
  }));
  appUrl = stack.appUrl;
  realtimeOrigin = new URL(stack.realtimeUrl).origin;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** One HTTP/1.1 request over a raw socket; resolves with what the server answered (head and all). */
function rawRequest(requestLine: string, headers: string[], body: string): Promise<string> {
  const { hostname, port, host } = new URL(appUrl);
  return new Promise((resolve, reject) => {
    let answer = "";
    void Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open(socket) {
          socket.write(
            [requestLine, `host: ${host}`, "connection: close", ...headers, "", body].join("\r\n"),
          );
        },
        data(socket, chunk) {
          answer += chunk.toString();
          if (answer.includes("\r\n\r\n")) socket.end();
        },
        close: () => resolve(answer),
        error: (_socket, error) => reject(error),
      },
    }).catch(reject);
  });
}

function expectSecurityHeaders(response: Response, path: string) {
  const got = {
    path,
    frame: response.headers.get("x-frame-options"),
    sniff: response.headers.get("x-content-type-options"),
    referrer: response.headers.get("referrer-policy"),
    ancestors: /frame-ancestors 'none'/.test(response.headers.get("content-security-policy") ?? ""),
  };
  expect(got).toEqual({
    path,
    frame: "DENY",
    sniff: "nosniff",
    referrer: "strict-origin-when-cross-origin",
    ancestors: true,
  });
}

describe("security headers", () => {
  test("on pages, redirects, API answers and static files", async () => {
    const page = await fetch(`${appUrl}/sign-in`);
    expectSecurityHeaders(page, "/sign-in");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`connect-src 'self' ${realtimeOrigin}`);
    const html = await page.text();
    const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const paths = ["/chat", "/api/trpc/user.me", "/api/auth/oidc/none/start", script ?? ""];
    for (const path of paths)
      expectSecurityHeaders(await fetch(`${appUrl}${path}`, { redirect: "manual" }), path);
  });

  test("the app works under its policy: sign-up, the chat page, the realtime socket live, no violations", async () => {
    browser = await launchBrowser();
    const { page, errors } = await openContext(browser, appUrl);
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    // Other runs share loopback's sign-up counter only through this file's own window length.
    await signUp(page, `csp${Date.now().toString(36)}`, "Policy Tester", "correct horse battery staple");
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("request bodies", () => {
  test("a 200 MB tRPC body (declared or chunked) and an oversized beacon are 413", async () => {
    // fetch would correct a Content-Length that does not match its body: write the request by hand,
    // announcing 200 MB and sending a few bytes. The answer comes before any more is sent.
    const declared = await rawRequest(
      "POST /api/trpc/auth.signIn HTTP/1.1",
      ["content-type: application/json", `content-length: ${200 * 1024 * 1024}`],
      '{"handle":',
    );
    expect(declared.split("\r\n")[0]).toBe("HTTP/1.1 413 Payload Too Large");
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 200 * 1024 * 1024) return controller.close();
        sent += 65_536;
        controller.enqueue(new Uint8Array(65_536).fill(32));
      },
    });
    const streamed = await fetch(`${appUrl}/api/trpc/dialog.createGroup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit).catch((error: unknown) => error);
    if (streamed instanceof Response) expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(200 * 1024 * 1024);
    const beacon = await fetch(`${appUrl}/api/auth/tab/close`, { method: "POST", body: "x".repeat(4096) });
    expect(beacon.status).toBe(413);
  }, 60_000);
});

describe("client IP with no proxy", () => {
  test("writing X-Forwarded-For does not buy a fresh per-IP sign-up budget", async () => {
    const statuses: number[] = [];
    for (let index = 0; index < SIGN_UPS_PER_IP + 1; index++) {
      const response = await fetch(`${appUrl}/api/trpc/auth.signUp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: appUrl,
          "x-forwarded-for": `203.0.113.${index + 1}`,
        },
        body: JSON.stringify({
          handle: `xff${Date.now().toString(36)}${index}`,
          displayName: "Spoofer",
          password: "correct horse battery staple",
          mode: "token",
        }),
      });
      statuses.push(response.status);
    }
    // The browser test above spent one of loopback's sign-ups in this window.
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
