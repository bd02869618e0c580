/**
 * The client's createTrpcChatApi().changes() follows dialog.changes cursors to the last page, against
 * the real API (appRouter over HTTP, real auth, MariaDB, Redis, NATS) with the page size lowered to 2.
 * It lives with the API server: the client package may know the API only as types.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ApiServices, appRouter, assembleApiServices, createContext } from "@parley/api";
import { createAuthService } from "@parley/auth";
import { createTestAuthConfig, createTestIds } from "@parley/auth/testing";
import { authenticateWithPassword, createTrpcChatApi } from "@parley/client";
import { createNatsPublisher, type NatsPublisher } from "@parley/core";
import {
  createTestDatabase,
  requireNats,
  requireRedis,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  type TestDatabase,
} from "@parley/testkit";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Server } from "bun";
import Redis from "ioredis";

const PAGE_SIZE = 2;
const GROUP_COUNT = 5;

let testDb: TestDatabase;
let redis: Redis;
let publisher: NatsPublisher;
let server: Server<unknown>;
let trpcUrl: string;

beforeAll(async () => {
  await Promise.all([requireNats(), requireRedis()]);
  testDb = await createTestDatabase("clientchanges");
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  publisher = createNatsPublisher(TEST_NATS_URL, "test-client-changes");
  const base = { db: testDb.db, redis, events: publisher.events, ids: createTestIds() };
  const auth = createAuthService(await createTestAuthConfig(), base);
  const services: ApiServices = assembleApiServices(base, auth, {
    messaging: {
      readRateLimit: { max: 1_000_000, windowMs: 10_000 },
      sendRateLimit: { max: 1_000_000, windowMs: 10_000 },
      changesPageSize: PAGE_SIZE,
    },
  });
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) =>
      fetchRequestHandler({
        endpoint: "/trpc",
        req,
        router: appRouter,
        createContext: ({ resHeaders }) =>
          createContext(
            services,
            { headers: req.headers, ip: srv.requestIP(req)?.address ?? null },
            resHeaders,
          ),
      }),
  });
  trpcUrl = `http://127.0.0.1:${server.port}/trpc`;
});

afterAll(async () => {
  await server?.stop(true);
  await publisher?.close();
  redis?.disconnect();
  await testDb?.drop();
});

test("changes() follows nextCursor through every page and returns every dialog once", async () => {
  const signedIn = await authenticateWithPassword(trpcUrl, "signUp", {
    handle: "pager",
    displayName: "Pager",
    password: "correct horse battery staple",
  });
  const changesCalls: string[] = [];
  const api = createTrpcChatApi({
    url: trpcUrl,
    session: signedIn.session,
    fetch: Object.assign(
      (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        if (url.includes("dialog.changes")) changesCalls.push(url);
        return fetch(input, init);
      },
      { preconnect: fetch.preconnect },
    ),
  });
  const groupIds: string[] = [];
  for (let index = 0; index < GROUP_COUNT; index++) {
    const group = await api.trpc.dialog.createGroup.mutate({ title: `g${index}`, memberIds: [] });
    groupIds.push(group.id);
  }

  const changes = await api.changes();

  expect(changes.map((change) => change.dialogId).sort()).toEqual([...groupIds].sort());
  // 5 dialogs, 2 a page: 3 pages, the last one short (its nextCursor is null).
  expect(changesCalls).toHaveLength(Math.ceil(GROUP_COUNT / PAGE_SIZE));
  expect(changesCalls.slice(1).every((url) => url.includes("cursor"))).toBe(true);
  expect(changes.every((change) => change.lastSeq === 0)).toBe(true);
});
