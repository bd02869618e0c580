import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { generateEd25519PemPair, generateSecret } from "@parley/auth";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  type TestDatabase,
} from "@parley/testkit";
import type { Subprocess } from "bun";

/** Object storage for one run of the suite: the API's STORAGE_* variables and how to clean up. */
export type SuiteStorage = {
  env: Record<string, string>;
  /** Whether the store itself holds `key` (read around the API: proves which store it wrote to). */
  holds: (key: string) => Promise<boolean>;
  stop: () => Promise<void>;
};

/**
 * The attachment routes as production serves them: the real apps/api process (Bun.serve, two
 * processes on one port) over the given object storage, a small MAX_REQUEST_BYTES for everything
 * else. Run by attachment-mount.test.ts (local disk) and attachment-mount-s3.test.ts (S3).
 */
const MAIN = join(import.meta.dir, "..", "main.ts");
const MAX_REQUEST_BYTES = 65_536;

type Json = { result?: { data: Record<string, unknown> }; error?: { data?: { code?: string } } };

const pdfOf = (bytes: number) => {
  const body = new Uint8Array(bytes).fill(0x20);
  body.set(new TextEncoder().encode("%PDF-1.4\n"));
  return body;
};

export function attachmentApiSuite(name: string, startStorage: () => Promise<SuiteStorage>): void {
  let db: TestDatabase;
  let api: Subprocess;
  let apiUrl: string;
  let storage: SuiteStorage;

  beforeAll(async () => {
    await Promise.all([requireNats(), requireRedis()]);
    db = await createTestDatabase("apimount");
    storage = await startStorage();
    const access = await generateEd25519PemPair();
    const realtime = await generateEd25519PemPair();
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = probe.port ?? 0;
    probe.stop(true);
    apiUrl = `http://127.0.0.1:${port}`;
    api = Bun.spawn(["bun", MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        API_PROCESSES: "2",
        MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
        ...storage.env,
        DATABASE_URL: db.url,
        NATS_URL: TEST_NATS_URL,
        REDIS_URL: TEST_REDIS_URL,
        ACCESS_TOKEN_PRIVATE_KEY: access.privatePem,
        ACCESS_TOKEN_PUBLIC_KEY: access.publicPem,
        REALTIME_TOKEN_PRIVATE_KEY: realtime.privatePem,
        REALTIME_TOKEN_PUBLIC_KEY: realtime.publicPem,
        REFRESH_TOKEN_SECRET: generateSecret(),
        SIGN_UP_RATE_LIMIT_MAX: "1000000000",
        NEW_CLIENT_RATE_LIMIT_MAX: "1000000000",
      },
      stdout: "inherit",
      stderr: "inherit",
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = await fetch(`${apiUrl}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (up) break;
      if (Date.now() > deadline || api.exitCode !== null) throw new Error("the API server did not start");
      await Bun.sleep(100);
    }
  }, 40_000);

  afterAll(async () => {
    api?.kill("SIGTERM");
    await api?.exited;
    await storage?.stop();
    await db?.drop();
  });

  async function call(path: string, input: unknown, token?: string): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${apiUrl}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Json };
  }

  let counter = 0;
  async function signUp(): Promise<{ token: string; userId: string }> {
    const handle = `mount${Date.now() % 1_000_000}${counter++}`;
    const { body } = await call("auth.signUp", {
      handle,
      displayName: handle,
      password: "correct horse battery staple",
      mode: "token",
      clientName: "test",
    });
    const token = String(body.result?.data.accessToken);
    const me = await fetch(`${apiUrl}/api/trpc/user.me`, { headers: { authorization: `Bearer ${token}` } });
    const id = ((await me.json()) as Json).result?.data.id;
    return { token, userId: String(id) };
  }

  function upload(
    token: string,
    dialogId: string,
    body: Uint8Array<ArrayBuffer>,
    name: string,
  ): Promise<Response> {
    return fetch(
      `${apiUrl}/api/attachments?purpose=message&scope=${dialogId}&name=${encodeURIComponent(name)}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/pdf" },
        body,
      },
    );
  }

  describe(`attachments on the production API server (${name})`, () => {
    let alice: { token: string; userId: string };
    let bob: { token: string; userId: string };
    let dialogId: string;

    beforeAll(async () => {
      alice = await signUp();
      bob = await signUp();
      const opened = await call("dialog.openDirect", { userId: bob.userId }, alice.token);
      dialogId = String(opened.body.result?.data.id);
    });

    test("an upload larger than MAX_REQUEST_BYTES is taken; any other body that large is still 413", async () => {
      const uploaded = await upload(alice.token, dialogId, pdfOf(200_000), "big.pdf");
      expect(uploaded.status).toBe(201);
      const ref = (await uploaded.json()) as { id: string; size: number };
      expect(ref.size).toBe(200_000);
      expect(await storage.holds(`attachments/${dialogId}/${ref.id}`)).toBe(true);
      const tooBig = await fetch(`${apiUrl}/api/trpc/dialog.list`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${alice.token}` },
        body: JSON.stringify({ padding: "x".repeat(MAX_REQUEST_BYTES * 2) }),
      });
      expect(tooBig.status).toBe(413);
      // Bob, the other member, reads it back through the same process group.
      const read = await fetch(`${apiUrl}/api/attachments/${dialogId}/${ref.id}`, {
        headers: { authorization: `Bearer ${bob.token}` },
      });
      expect(read.status).toBe(200);
      expect(read.headers.get("content-disposition")).toStartWith("attachment;");
      expect((await read.arrayBuffer()).byteLength).toBe(200_000);
    });

    test("a message with an attachment goes through message.send; the server's facts replace the client's", async () => {
      const uploaded = await upload(alice.token, dialogId, pdfOf(1_000), "notes.pdf");
      const ref = (await uploaded.json()) as { id: string };
      const sent = await call(
        "message.send",
        {
          dialogId,
          clientMsgId: "with-file",
          clientSeq: 1,
          content: {
            kind: "media",
            text: "",
            attachments: [{ id: ref.id, name: "claimed.exe", size: 1, mime: "image/png" }],
          },
        },
        alice.token,
      );
      expect(sent.status).toBe(200);
      const input = encodeURIComponent(JSON.stringify({ dialogId, afterSeq: 0, limit: 10 }));
      const page = await fetch(`${apiUrl}/api/trpc/dialog.sync?input=${input}`, {
        headers: { authorization: `Bearer ${bob.token}` },
      });
      const body = (await page.json()) as Json;
      const messages = (body.result?.data.messages ?? []) as { content: Record<string, unknown> }[];
      expect(messages.at(-1)?.content).toEqual({
        kind: "media",
        text: "",
        attachments: [{ id: ref.id, name: "notes.pdf", size: 1_000, mime: "application/pdf" }],
      });
    });

    test("an attachment that is not the sender's upload in this dialog refuses the message (400)", async () => {
      const others = await upload(bob.token, dialogId, pdfOf(500), "bobs.pdf");
      const bobsRef = (await others.json()) as { id: string };
      const refused = await call(
        "message.send",
        {
          dialogId,
          clientMsgId: "not-mine",
          clientSeq: 2,
          content: {
            kind: "media",
            text: "",
            attachments: [{ id: bobsRef.id, name: "x", size: 1, mime: "application/pdf" }],
          },
        },
        alice.token,
      );
      expect(refused.status).toBe(400);
      const unknown = await call(
        "message.send",
        {
          dialogId,
          clientMsgId: "unknown",
          clientSeq: 2,
          content: {
            kind: "media",
            text: "",
            attachments: [{ id: "123", name: "x", size: 1, mime: "application/pdf" }],
          },
        },
        alice.token,
      );
      expect(unknown.status).toBe(400);
      // Someone outside the dialog: NOT_FOUND, as for any send there (nothing learnt about its uploads).
      const stranger = await signUp();
      const outsider = await call(
        "message.send",
        {
          dialogId,
          clientMsgId: "outsider",
          clientSeq: 1,
          content: {
            kind: "media",
            text: "",
            attachments: [{ id: bobsRef.id, name: "x", size: 1, mime: "application/pdf" }],
          },
        },
        stranger.token,
      );
      expect(outsider.status).toBe(404);
    });
  });
}
