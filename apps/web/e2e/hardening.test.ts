/**
 * The production build, started the way `bun run start` does (server.ts), checked from outside:
 * every response carries the security headers, the app still works under its Content-Security-Policy
 * in Chromium (sign-up, the chat page, the realtime WebSocket live), oversized bodies are 413 before
 * parsing, and with no proxy (TRUSTED_PROXY_HOPS=0) a client cannot pick its own IP for the per-IP
 * budgets by writing X-Forwarded-For.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { generateEd25519PemPair, generateSecret } from "@parley/auth";
import {
  createTestDatabase,
  requireMariaDb,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  type TestDatabase,
} from "@parley/testkit";
import type { Browser } from "playwright-core";
import { launchBrowser, openContext, signUp } from "./browser";
import { freePort } from "./stack";

const WEB_DIR = join(import.meta.dir, "..");
const REPO = join(WEB_DIR, "../..");
const LOG_DIR = join(WEB_DIR, "test-results");
/** Its own build directory: other e2e files build .next-e2e, possibly at the same time. */
const DIST_DIR = ".next-hardening";
const SIGN_UPS_PER_IP = 2;
/** A window length no other run shares (the window is part of the key; loopback is everyone's IP). */
const SIGN_UP_WINDOW_SECONDS = 3_600 + Math.floor(Math.random() * 80_000);

let database: TestDatabase;
let appUrl: string;
let realtimeOrigin: string;
let browser: Browser | null = null;
const processes: ReturnType<typeof Bun.spawn>[] = [];

function spawnLogged(name: string, cmd: string[], cwd: string, env: Record<string, string>) {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(join(LOG_DIR, `${name}.log`), "w");
  const proc = Bun.spawn(cmd, { cwd, env: { ...process.env, ...env }, stdout: log, stderr: log });
  processes.push(proc);
  return proc;
}

async function waitFor(name: string, check: () => Promise<boolean>, proc: ReturnType<typeof Bun.spawn>) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited; see apps/web/test-results/${name}.log`);
    if (await check().catch(() => false)) return;
    await Bun.sleep(200);
  }
  throw new Error(`${name} did not start; see apps/web/test-results/${name}.log`);
}

beforeAll(async () => {
  await requireMariaDb();
  await requireNats();
  await requireRedis();
  // E2E_REUSE_BUILD=1 skips the build when iterating on tests only.
  if (process.env.E2E_REUSE_BUILD !== "1" || !existsSync(join(WEB_DIR, DIST_DIR, "BUILD_ID"))) {
    mkdirSync(LOG_DIR, { recursive: true });
    const build = Bun.spawn(["bun", "--bun", "node_modules/next/dist/bin/next", "build"], {
      cwd: WEB_DIR,
      env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdout: "ignore",
      stderr: openSync(join(LOG_DIR, "hardening-build.log"), "w"),
    });
    if ((await build.exited) !== 0)
      throw new Error("next build failed; see apps/web/test-results/hardening-build.log");
  }
  database = await createTestDatabase("webhard");
  const [realtimeKeys, accessKeys] = await Promise.all([generateEd25519PemPair(), generateEd25519PemPair()]);
  const [webPort, realtimePort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  appUrl = `http://127.0.0.1:${webPort}`;
  realtimeOrigin = `ws://127.0.0.1:${realtimePort}`;
  const env: Record<string, string> = {
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    NATS_URL: TEST_NATS_URL,
    REDIS_URL: TEST_REDIS_URL,
    APP_URL: appUrl,
    REALTIME_URL: `${realtimeOrigin}/ws`,
    REALTIME_TOKEN_PRIVATE_KEY: realtimeKeys.privatePem,
    REALTIME_TOKEN_PUBLIC_KEY: realtimeKeys.publicPem,
    ACCESS_TOKEN_PRIVATE_KEY: accessKeys.privatePem,
    ACCESS_TOKEN_PUBLIC_KEY: accessKeys.publicPem,
    REFRESH_TOKEN_SECRET: generateSecret(),
    AUTH_COOKIE_SECURE: "false",
    NEXT_TELEMETRY_DISABLED: "1",
    SIGN_UP_RATE_LIMIT_MAX: String(SIGN_UPS_PER_IP),
    SIGN_UP_RATE_LIMIT_WINDOW_SECONDS: String(SIGN_UP_WINDOW_SECONDS),
  };
  const realtime = spawnLogged("hardening-realtime", ["bun", "src/main.ts"], join(REPO, "apps/realtime"), {
    ...env,
    PORT: String(realtimePort),
    METRICS_PORT: String(metricsPort),
    HOST: "127.0.0.1",
  });
  const web = spawnLogged("hardening-web", ["bun", "--bun", "server.ts"], WEB_DIR, {
    ...env,
    NEXT_DIST_DIR: DIST_DIR,
    PORT: String(webPort),
    HOST: "127.0.0.1",
  });
  await waitFor(
    "hardening-realtime",
    async () => (await fetch(`http://127.0.0.1:${realtimePort}/ws`)).status > 0,
    realtime,
  );
  await waitFor("hardening-web", async () => (await fetch(`${appUrl}/sign-in`)).ok, web);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const proc of processes) proc.kill("SIGTERM");
  await Promise.all(processes.map((proc) => Promise.race([proc.exited, Bun.sleep(3000)])));
  for (const proc of processes) if (proc.exitCode === null) proc.kill("SIGKILL");
  await database?.drop();
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
