import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { applyMessageChange, getMessageState, getMessageStates, listOwnReactions } from "../queries";
import { createTestDatabase, type TestDatabase } from "../testing";

/**
 * The life-cycle statements on the real MariaDB, with the scatter guard of createTestDatabase
 * (drop() fails if any would scatter on Vitess): applying edits, deletes and reactions to a
 * message's row, and reading states back.
 */
let testDb: TestDatabase;

async function insertMessage(id: number, seq: number, kind: string, content: object) {
  await testDb.db.execute(sql`INSERT INTO messages (dialog_id, id, sender_id, sender_client_id, client_msg_id,
    client_seq, kind, content, status, seq, created_at, updated_at)
    VALUES (10, ${id}, 1, 1, ${String(id)}, ${seq}, ${kind}, ${JSON.stringify(content)}, 'committed', ${seq}, NOW(3), NOW(3))`);
}

beforeAll(async () => {
  testDb = await createTestDatabase("msgchange");
  await insertMessage(101, 1, "text", { kind: "text", text: "hello", replyTo: "99" });
});
afterAll(async () => {
  await testDb?.drop();
});

const at = new Date("2026-01-01T00:00:00.000Z");
const REACT = { maxKinds: 2, listed: 2 };

describe("applying changes under the lock", () => {
  test("an edit sets the text (keeping other fields), edited_at and the version", async () => {
    await insertMessage(102, 2, "edit", { kind: "edit", target: "101", text: "hello!" });
    const after = await testDb.db.transaction((tx) =>
      applyMessageChange(
        tx,
        { dialogId: "10", targetId: "101", changeId: "102", seq: 2, at },
        {
          kind: "edit",
          text: "hello!",
        },
      ),
    );
    expect(after).toMatchObject({
      content: { kind: "text", text: "hello!", replyTo: "99" },
      version: 2,
      editedAt: at,
    });
    // A change with a lower seq than the version (a replay) changes nothing.
    const replay = await testDb.db.transaction((tx) =>
      applyMessageChange(
        tx,
        { dialogId: "10", targetId: "101", changeId: "102", seq: 1, at },
        {
          kind: "edit",
          text: "stale",
        },
      ),
    );
    expect(replay?.content).toEqual({ kind: "text", text: "hello!", replyTo: "99" });
  });

  test("reactions: idempotent per user and emoji, exact counts, listed reactors bounded, kinds capped", async () => {
    const react = (seq: number, userId: string, emoji: string, on: boolean) =>
      testDb.db.transaction((tx) =>
        // Reactions are ordered by when each emoji was first used: a distinct time per change.
        applyMessageChange(
          tx,
          { dialogId: "10", targetId: "101", changeId: "102", seq, at: new Date(at.getTime() + seq) },
          {
            kind: "reaction",
            emoji,
            on,
            userId,
            ...REACT,
          },
        ),
      );
    await react(3, "7", "👍", true);
    await react(4, "7", "👍", true);
    await react(5, "8", "👍", true);
    await react(6, "9", "👍", true);
    const four = await react(7, "8", "🎉", true);
    expect(four?.reactions).toEqual([
      { emoji: "👍", count: 3, userIds: ["7", "8"] },
      { emoji: "🎉", count: 1, userIds: ["8"] },
    ]);
    // A third kind past maxKinds is not added; removing one's reaction is.
    expect((await react(8, "7", "🔥", true))?.reactions.map((r) => r.emoji)).toEqual(["👍", "🎉"]);
    const removed = await react(9, "8", "🎉", false);
    expect(removed?.reactions).toEqual([{ emoji: "👍", count: 3, userIds: ["7", "8"] }]);
    expect(removed?.version).toBe(9);
    expect(await listOwnReactions(testDb.db, "10", "9", ["101", "555"])).toEqual([
      { messageId: "101", emoji: "👍" },
    ]);
  });

  test("a delete leaves a tombstone: no text on the message or its edit rows, no reactions", async () => {
    const after = await testDb.db.transaction((tx) =>
      applyMessageChange(
        tx,
        { dialogId: "10", targetId: "101", changeId: "103", seq: 10, at },
        {
          kind: "delete",
        },
      ),
    );
    expect(after).toMatchObject({
      kind: "deleted",
      content: { kind: "deleted" },
      reactions: [],
      version: 10,
    });
    const edit = await getMessageState(testDb.db, "10", "102");
    expect(edit?.content).toEqual({ kind: "edit", target: "101" });
    const [rows] = (await testDb.db.execute(
      sql`SELECT COUNT(*) AS n FROM message_reactions WHERE dialog_id = 10`,
    )) as unknown as [{ n: unknown }[]];
    expect(Number(rows[0]?.n)).toBe(0);
    // Nothing applies to a tombstone any more.
    const late = await testDb.db.transaction((tx) =>
      applyMessageChange(
        tx,
        { dialogId: "10", targetId: "101", changeId: "104", seq: 11, at },
        {
          kind: "edit",
          text: "back from the dead",
        },
      ),
    );
    expect(late).toMatchObject({ kind: "deleted", version: 10 });
    expect((await getMessageStates(testDb.db, "10", ["101", "102", "404"])).map((s) => s.id).sort()).toEqual([
      "101",
      "102",
    ]);
  });
});
