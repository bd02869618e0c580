/**
 * Rebuilding the people-search index from the users rows (users made before the index existed): every
 * user gets its terms, a second run changes nothing, and the walk pages through more users than a batch.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { schema } from "@parley/db";
import { findUserSearchTerms } from "@parley/db/queries";
import { createTestDatabase, type TestDatabase } from "@parley/testkit";
import { reindexAllUsersForSearch } from "../search-terms";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase("reindex");
});
afterAll(async () => {
  await testDb?.drop();
});

test("every user is indexed, in pages, and a second run adds nothing", async () => {
  const now = new Date();
  await testDb.db.insert(schema.users).values(
    Array.from({ length: 7 }, (_, index) => ({
      id: String(1000 + index),
      handle: `walker${index}`,
      displayName: `Old Timer ${index}`,
      createdAt: now,
    })),
  );
  expect(await reindexAllUsersForSearch(testDb.db, 3)).toBe(7);
  const found = await findUserSearchTerms(testDb.db, { prefix: "wal", query: "walker", limit: 20 });
  expect(found.map((row) => row.userId)).toEqual(["1000", "1001", "1002", "1003", "1004", "1005", "1006"]);
  // The name terms too ("old", "timer", "old timer 3"), and a second run leaves the same rows.
  const names = () => findUserSearchTerms(testDb.db, { prefix: "old", query: "old", limit: 50 });
  const before = await names();
  expect(before).toHaveLength(14);
  expect(await reindexAllUsersForSearch(testDb.db, 3)).toBe(7);
  expect(await names()).toEqual(before);
});
