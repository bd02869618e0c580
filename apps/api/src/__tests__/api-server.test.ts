import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestAuthEnv } from "@parley/auth/testing";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  type TestDatabase,
} from "@parley/testkit";
import { type ApiProcess, startApiProcess } from "@parley/testkit/app-processes";
import type { Server } from "bun";

let db: TestDatabase;
let api: ApiProcess;
let apiUrl: string;
/** Stands in for the Next.js server behind the API: echoes what it was sent. */
let next: Server<undefined>;

beforeAll(async () => {
  await Promise.all([requireNats(), requireRedis()]);
  db = await createTestDatabase("apiserver");
  next = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) =>
      Response.json(
        {
          path: new URL(req.url).pathname,
          method: req.method,
          forwardedFor: req.headers.get("x-forwarded-for"),
          body: req.method === "POST" ? await req.text() : null,
        },
        { status: 201, headers: { "set-cookie": "page=1; Path=/" } },
      ),
  });
  api = await startApiProcess({
    databaseUrl: db.url,
    natsUrl: TEST_NATS_URL,
    env: {
      ...(await createTestAuthEnv()),
      // Two processes on one port, as production runs several.
      API_PROCESSES: "2",
      NEXT_ORIGIN: `http://127.0.0.1:${next.port}`,
      MAX_REQUEST_BYTES: "65536",
    },
  });
  apiUrl = api.url;
}, 30_000);

afterAll(async () => {
  await api?.kill();
  next?.stop(true);
  await db?.drop();
});

/** The fields these tests read from tRPC answers. */
type Answer = { result: { data: { id: string; accessToken: string; seq: number } } };

async function call(path: string, input: unknown, token?: string): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${apiUrl}/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function signUp(handle: string): Promise<{ accessToken: string; userId: string }> {
  const { status, body } = await call("auth.signUp", {
    handle,
    displayName: handle,
    password: "correct horse battery staple",
    mode: "token",
    clientName: "test",
  });
  expect(status).toBe(200);
  const me = await fetch(`${apiUrl}/api/trpc/user.me`, {
    headers: { authorization: `Bearer ${body.result.data.accessToken}` },
  }).then((r) => r.json() as Promise<Answer>);
  return { accessToken: body.result.data.accessToken, userId: me.result.data.id };
}

describe("the production API server (Bun.serve, several processes on one port)", () => {
  test("serves the tRPC router: sign up, open a chat, send in clientSeq order", async () => {
    const alice = await signUp(`alice${Date.now() % 100_000}`);
    const bob = await signUp(`bob${Date.now() % 100_000}`);
    const dialog = await call("dialog.openDirect", { userId: bob.userId }, alice.accessToken);
    expect(dialog.status).toBe(200);
    const dialogId = dialog.body.result.data.id;
    const seqs: number[] = [];
    for (let clientSeq = 1; clientSeq <= 5; clientSeq++) {
      const sent = await call(
        "message.send",
        {
          dialogId,
          clientMsgId: `m${clientSeq}`,
          clientSeq,
          content: { kind: "text", text: `hi ${clientSeq}` },
        },
        alice.accessToken,
      );
      expect(sent.status).toBe(200);
      seqs.push(sent.body.result.data.seq);
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  test("every other path is the web server's: method, body, status and cookies pass through", async () => {
    const response = await fetch(`${apiUrl}/sign-in?x=1`, {
      method: "POST",
      headers: { "x-forwarded-for": "6.6.6.6" },
      body: "handle=a",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("set-cookie")).toContain("page=1");
    const seen = await response.json();
    expect(seen).toMatchObject({ path: "/sign-in", method: "POST", body: "handle=a" });
    // The client's own X-Forwarded-For is not trusted: the web server hears the socket address.
    expect(seen.forwardedFor).toBe("127.0.0.1");
  });

  test("a body over the limit is refused before it is read", async () => {
    const response = await fetch(`${apiUrl}/api/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(200_000),
    });
    expect(response.status).toBe(413);
  });

  test("tRPC answers carry the API security headers (pages carry Next's own)", async () => {
    const response = await fetch(`${apiUrl}/api/trpc/user.me`);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  test("a caller looping on a refused call is held at the gate, not served a request per refusal", async () => {
    const tag = Date.now() % 100_000;
    const loud = await signUp(`loud${tag}`);
    const calm = await signUp(`calm${tag}`);
    const dialog = await call("dialog.openDirect", { userId: calm.userId }, loud.accessToken);
    const dialogId = dialog.body.result.data.id;
    type Refusal = {
      error?: { data?: { code?: string; details?: { scope?: string; retryAfterMs?: number } } };
    };
    const typing = async (token: string) => {
      const response = await fetch(`${apiUrl}/api/trpc/dialog.typing`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ dialogId }),
      });
      return { status: response.status, body: (await response.json()) as Refusal };
    };
    // Spend the typing budget (20 per client per 10 s) until the API refuses.
    let first: Refusal | null = null;
    for (let i = 0; i < 60 && !first; i++) {
      const answer = await typing(loud.accessToken);
      if (answer.status === 429) first = answer.body;
    }
    expect(first?.error?.data?.details?.scope).toBeUndefined(); // refused by the budget inside the API
    // Now loop as an abusive client would, ignoring Retry-After, for 2.5 s.
    const started = performance.now();
    const statuses: number[] = [];
    const scopes = new Set<string | undefined>();
    while (performance.now() - started < 2_500) {
      const answer = await typing(loud.accessToken);
      statuses.push(answer.status);
      scopes.add(answer.body.error?.data?.details?.scope);
    }
    // Each refusal was held ~1 s at the gate: a handful of requests, not hundreds. (Two processes:
    // each learns of the refusal from one budget answer of its own.)
    expect(statuses.length).toBeLessThanOrEqual(8);
    expect(statuses.every((status) => status === 429)).toBe(true);
    expect(scopes.has("gate")).toBe(true);
    // Another user is not held.
    const other = await typing(calm.accessToken);
    expect(other.status).toBe(200);
  }, 30_000);

  test("runs API_PROCESSES processes", async () => {
    const children = (await Bun.$`pgrep -P ${api.proc.pid}`.nothrow().text())
      .trim()
      .split("\n")
      .filter(Boolean);
    expect(children.length).toBe(1);
  });
});
