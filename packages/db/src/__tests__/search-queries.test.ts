import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { findUserSearchTerms, insertUserSearchTerms, searchDialogMessages } from "../queries";
import { createTestDatabase, type TestDatabase } from "../testing";

/**
 * The search statements on the real MariaDB (FULLTEXT included), with the scatter guard of
 * createTestDatabase: drop() fails if any of them would scatter on Vitess.
 */
let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase("searchq");
  const { db } = testDb;
  // Dialog 10: user 1 from the start, user 2 joined after seq 1. Dialog 20: user 3 alone.
  await db.execute(sql`INSERT INTO dialog_members (dialog_id, user_id, role, joined_seq, joined_at)
    VALUES (10, 1, 'owner', 0, NOW(3)), (10, 2, 'member', 1, NOW(3)), (20, 3, 'owner', 0, NOW(3))`);
  const rows: [number, number, number, string, string][] = [
    [10, 101, 1, "committed", "the quarterly budget is ready"],
    [10, 102, 2, "committed", "budget approved, thanks"],
    [10, 103, 3, "committed", "lunch?"],
    [20, 201, 1, "committed", "secret budget of dialog twenty"],
  ];
  for (const [dialogId, id, seq, status, text] of rows) {
    const content = JSON.stringify({ kind: "text", text });
    await db.execute(sql`INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id,
      client_seq, kind, content, status, seq, created_at, updated_at)
      VALUES (${dialogId}, ${id}, 1, 1, ${String(id)}, ${seq}, 'text', ${content}, ${status}, ${seq}, NOW(3), NOW(3))`);
    await db.execute(sql`INSERT INTO dialog_messages (dialog_id, seq, msg_id, sender_id, created_at)
      VALUES (${dialogId}, ${seq}, ${id}, 1, NOW(3))`);
  }
  // A pending message (not on the timeline) never matches.
  await db.execute(sql`INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id,
    client_seq, kind, content, status, seq, created_at, updated_at)
    VALUES (10, 104, 1, 1, '104', 4, 'text', '{"kind":"text","text":"budget pending"}', 'pending', NULL, NOW(3), NOW(3))`);
});
afterAll(async () => {
  await testDb?.drop();
});

const search = (
  userId: string,
  dialogIds: string[],
  booleanQuery: string,
  beforeMsgId: string | null = null,
) => searchDialogMessages(testDb.db, { userId, dialogIds, booleanQuery, beforeMsgId, limit: 10 });

describe("message search query", () => {
  test("finds committed matches in the caller's dialogs, newest first", async () => {
    const hits = await search("1", ["10"], "+budg*");
    expect(hits.map((hit) => hit.id)).toEqual(["102", "101"]);
    expect(hits[0]?.seq).toBe(2);
    expect(hits[0]?.content).toEqual({ kind: "text", text: "budget approved, thanks" });
  });

  test("a dialog the caller is not a member of yields nothing, even when asked for", async () => {
    expect(await search("1", ["10", "20"], "+budg*").then((hits) => hits.map((h) => h.dialogId))).toEqual([
      "10",
      "10",
    ]);
    expect(await search("3", ["10", "20"], "+budg*").then((hits) => hits.map((h) => h.id))).toEqual(["201"]);
  });

  test("a later joiner does not find messages from before it joined", async () => {
    expect((await search("2", ["10"], "+budg*")).map((hit) => hit.id)).toEqual(["102"]);
  });

  test("case and accents do not matter (the column's collation, not the database's binary default)", async () => {
    const content = JSON.stringify({ kind: "text", text: "Meet at the CAFÉ" });
    await testDb.db.execute(sql`INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id,
      client_seq, kind, content, status, seq, created_at, updated_at)
      VALUES (20, 202, 3, 3, '202', 2, 'text', ${content}, 'committed', 2, NOW(3), NOW(3))`);
    await testDb.db.execute(sql`INSERT INTO dialog_messages (dialog_id, seq, msg_id, sender_id, created_at)
      VALUES (20, 2, 202, 3, NOW(3))`);
    expect((await search("3", ["20"], "+cafe*")).map((hit) => hit.id)).toEqual(["202"]);
    expect((await search("3", ["20"], "+SECRET*")).map((hit) => hit.id)).toEqual(["201"]);
  });

  test("pages by message id", async () => {
    expect((await search("1", ["10"], "+budg*", "102")).map((hit) => hit.id)).toEqual(["101"]);
  });

  test("an edit re-indexes the text: the old words stop matching, the new ones match", async () => {
    await testDb.db.execute(sql`UPDATE messages SET content = '{"kind":"text","text":"lunch moved"}'
      WHERE dialog_id = 10 AND id = 101`);
    expect((await search("1", ["10"], "+budg*")).map((hit) => hit.id)).toEqual(["102"]);
    expect((await search("1", ["10"], "+moved*")).map((hit) => hit.id)).toEqual(["101"]);
  });

  test("a deleted message (a tombstone) never matches", async () => {
    await testDb.db.execute(
      sql`UPDATE messages SET kind = 'deleted', content = '{"kind":"deleted"}' WHERE dialog_id = 10 AND id = 102`,
    );
    expect(await search("1", ["10"], "+approved*")).toEqual([]);
  });

  test("the row that carries an edit is not a result: only the edited message is", async () => {
    await testDb.db.execute(sql`INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id,
      client_seq, kind, content, status, seq, created_at, updated_at)
      VALUES (10, 105, 1, 1, '105', 5, 'edit', '{"kind":"edit","text":"lunch moved"}', 'committed', 5, NOW(3), NOW(3))`);
    await testDb.db.execute(sql`INSERT INTO dialog_messages (dialog_id, seq, msg_id, sender_id, created_at)
      VALUES (10, 5, 105, 1, NOW(3))`);
    expect((await search("1", ["10"], "+moved*")).map((hit) => hit.id)).toEqual(["101"]);
  });
});

describe("people search query", () => {
  test("a prefix range on one shard, in term order, wildcards taken literally", async () => {
    await insertUserSearchTerms(testDb.db, "7", [
      { prefix: "ali", term: "alice", kind: "handle" },
      { prefix: "ali", term: "alicia", kind: "name" },
    ]);
    await insertUserSearchTerms(testDb.db, "8", [{ prefix: "ali", term: "ali_baba", kind: "handle" }]);
    // Inserting the same terms again is a no-op.
    await insertUserSearchTerms(testDb.db, "7", [{ prefix: "ali", term: "alice", kind: "handle" }]);
    const hits = await findUserSearchTerms(testDb.db, { prefix: "ali", query: "alic", limit: 10 });
    expect(hits.map((hit) => [hit.userId, hit.term])).toEqual([
      ["7", "alice"],
      ["7", "alicia"],
    ]);
    const literal = await findUserSearchTerms(testDb.db, { prefix: "ali", query: "ali_", limit: 10 });
    expect(literal.map((hit) => hit.term)).toEqual(["ali_baba"]);
  });

  test("every statement of this file routes to one shard (or a bounded IN)", () => {
    expect(testDb.scatterStatements()).toEqual([]);
  });
});
