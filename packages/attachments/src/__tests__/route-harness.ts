import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthService } from "@parley/auth";
import { connectTestPublisher, createTestAuthConfig, createTestIds } from "@parley/auth/testing";
import { schema } from "@parley/db";
import { createLocalStorage } from "@parley/storage";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "@parley/testkit";
import { and, eq } from "drizzle-orm";
import Redis from "ioredis";
import type { AttachmentLimits } from "../deps";
import { createAttachmentHandler } from "../http";

export type RouteUser = { userId: string; clientId: string; token: string };

/**
 * The attachment routes over a real Bun.serve on loopback, with the real UAA (tokens and session
 * cookies), a fresh MariaDB database, the shared Redis and local-disk storage in a temporary folder.
 */
export async function startRouteHarness(label: string, limits: Partial<AttachmentLimits> = {}) {
  await Promise.all([requireRedis(), requireNats()]);
  const testDb = await createTestDatabase(label);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const nats = await connectTestPublisher(TEST_NATS_URL);
  const storageDir = mkdtempSync(join(tmpdir(), "parley-attachments-"));
  const storage = createLocalStorage(storageDir);
  const ids = createTestIds();
  let port = 0;
  const config = await createTestAuthConfig({ appUrl: "http://127.0.0.1" });
  const auth = createAuthService(config, { db: testDb.db, redis, events: nats.events, ids });
  const handle = createAttachmentHandler({
    db: testDb.db,
    redis,
    ids,
    storage,
    limits,
    resolveViewer: (req) => auth.resolveViewer(req),
    isClientRevoked: (viewer) => auth.isClientRevoked(viewer),
  });
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 64 * 1024 * 1024,
    fetch: async (req, srv) =>
      (await handle(req, srv.requestIP(req)?.address ?? null)) ?? new Response("not ours", { status: 418 }),
  });
  port = server.port ?? 0;
  const baseUrl = `http://127.0.0.1:${port}`;

  let counter = 0;
  const users = new Map<string, { handle: string }>();
  async function signUp(
    mode: "token" | "cookie" = "token",
  ): Promise<RouteUser & { cookie: string | null; handle: string }> {
    const handleName = `att${label.replace(/\W/g, "").slice(0, 8)}${Date.now().toString(36)}${counter++}`;
    const result = await auth.signUp(
      { handle: handleName, displayName: `User ${counter}`, password: "correct horse battery" },
      { mode, headers: new Headers({ "user-agent": "parley-test/1.0" }), ip: "127.0.0.1" },
    );
    users.set(result.userId, { handle: handleName });
    return {
      handle: handleName,
      userId: result.userId,
      clientId: result.clientId,
      token: result.tokens?.accessToken ?? "",
      cookie: result.setCookie?.split(";")[0] ?? null,
    };
  }

  /** Another client of the same user (a second device). */
  async function signInAgain(user: { handle: string }): Promise<RouteUser> {
    const result = await auth.signIn(
      { handle: user.handle, password: "correct horse battery" },
      { mode: "token", headers: new Headers({ "user-agent": "parley-test/2.0" }), ip: "127.0.0.1" },
    );
    return { userId: result.userId, clientId: result.clientId, token: result.tokens?.accessToken ?? "" };
  }

  async function countRows(scopeId: string, name: string): Promise<number> {
    const rows = await testDb.db
      .select()
      .from(schema.attachments)
      .where(and(eq(schema.attachments.scopeId, scopeId), eq(schema.attachments.name, name)));
    return rows.length;
  }

  /** A group with these members (rows written as the dialog service writes them). */
  async function createGroup(memberIds: string[]): Promise<string> {
    const dialogId = ids.nextId();
    const now = new Date();
    await testDb.db.insert(schema.dialogs).values({
      id: dialogId,
      kind: "group",
      title: "files",
      createdBy: memberIds[0] ?? "0",
      memberCount: memberIds.length,
      createdAt: now,
    });
    await testDb.db.insert(schema.dialogMembers).values(
      memberIds.map((userId, i) => ({
        dialogId,
        userId,
        role: i === 0 ? ("owner" as const) : ("member" as const),
        joinedAt: now,
      })),
    );
    return dialogId;
  }

  async function removeMember(dialogId: string, userId: string): Promise<void> {
    await testDb.db
      .delete(schema.dialogMembers)
      .where(and(eq(schema.dialogMembers.dialogId, dialogId), eq(schema.dialogMembers.userId, userId)));
  }

  function upload(
    user: { token: string },
    body: Uint8Array | string,
    query: Record<string, string>,
    contentType = "application/octet-stream",
  ): Promise<Response> {
    return fetch(`${baseUrl}/api/attachments?${new URLSearchParams(query)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": contentType },
      // A copy on a plain ArrayBuffer (what fetch's types take).
      body: typeof body === "string" ? body : new Uint8Array(body),
    });
  }

  return {
    baseUrl,
    db: testDb.db,
    redis,
    storage,
    auth,
    signUp,
    signInAgain,
    removeMember,
    users,
    countRows,
    createGroup,
    upload,
    async close() {
      server.stop(true);
      redis.disconnect();
      await nats.close();
      rmSync(storageDir, { recursive: true, force: true });
      await testDb.drop();
    },
  };
}
