/**
 * The per-process revocation cache answers for a (user, client) pair: a client id is only live for
 * the user whose row it is, so a cached answer for one user's client never answers for another user.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { schema } from "@parley/db";
import { createTestDatabase, type TestDatabase } from "@parley/testkit";
import { createRevocationCache } from "../clients";

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase("revcache");
});
afterAll(async () => {
  await testDb?.drop();
});

test("a live client of one user is not live for another user with the same client id", async () => {
  const now = new Date();
  await testDb.db.insert(schema.userClients).values({
    userId: "1001",
    clientId: "5005",
    name: "phone",
    kind: "token",
    createdAt: now,
    lastSeenAt: now,
  });
  const cache = createRevocationCache(testDb.db, 60_000);
  expect(await cache.isRevoked("1001", "5005")).toBe(false);
  // Same client id, another user: no such row, so not a live client.
  expect(await cache.isRevoked("2002", "5005")).toBe(true);
  expect(await cache.isRevoked("1001", "5005")).toBe(false);
});

test("marking a client revoked applies to that user's client", async () => {
  const now = new Date();
  await testDb.db.insert(schema.userClients).values({
    userId: "3003",
    clientId: "7007",
    name: "laptop",
    kind: "browser",
    createdAt: now,
    lastSeenAt: now,
  });
  const cache = createRevocationCache(testDb.db, 60_000);
  expect(await cache.isRevoked("3003", "7007")).toBe(false);
  cache.markRevoked("3003", "7007");
  expect(await cache.isRevoked("3003", "7007")).toBe(true);
});
