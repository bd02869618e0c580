import { afterAll, describe, expect, test } from "bun:test";
import { and, eq, gt, sql } from "drizzle-orm";
import { dialogMessages, dialogs, messages } from "../schema";
import { createTestDatabase, ScatterQueryError, type TestDatabase } from "../testing";

/**
 * The guard wired into createTestDatabase(): every statement through the test database is captured
 * and drop() fails on a scatter. Each case uses its own database so one planted query cannot leak.
 */
const opened: TestDatabase[] = [];
afterAll(async () => {
  // Cases drop their own databases; this only cleans up after a case that failed midway.
  await Promise.allSettled(opened.map((testDb) => testDb.drop()));
});

async function open(label: string): Promise<TestDatabase> {
  const testDb = await createTestDatabase(label);
  opened.push(testDb);
  return testDb;
}

async function runRoutedQueries(testDb: TestDatabase): Promise<void> {
  const { db } = testDb;
  const now = new Date();
  await db.insert(dialogs).values({ id: "1001", kind: "group", createdBy: "7", createdAt: now });
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT last_seq FROM dialogs WHERE id = ${"1001"} FOR UPDATE`);
    await tx
      .insert(dialogMessages)
      .values({ dialogId: "1001", seq: 1, msgId: "5", senderId: "7", createdAt: now });
    await tx
      .update(dialogs)
      .set({ lastSeq: sql`${dialogs.lastSeq} + 1` })
      .where(eq(dialogs.id, "1001"));
  });
  await db
    .select()
    .from(dialogMessages)
    .where(and(eq(dialogMessages.dialogId, "1001"), gt(dialogMessages.seq, 0)));
}

describe("scatter guard on a real test database", () => {
  test("routed statements pass: drop() resolves", async () => {
    const testDb = await open("guardok");
    await runRoutedQueries(testDb);
    expect(testDb.statements.size).toBeGreaterThanOrEqual(4);
    expect(testDb.scatterStatements()).toEqual([]);
    await testDb.drop();
  });

  test("a planted scatter query makes drop() throw and name it", async () => {
    const testDb = await open("guardbad");
    await runRoutedQueries(testDb);
    // The planted scatter: pending messages across all dialogs, inside a transaction.
    await testDb.db.transaction(async (tx) => {
      await tx.select({ id: messages.id }).from(messages).where(eq(messages.status, "pending"));
    });
    expect(testDb.scatterStatements().map((v) => v.table)).toEqual(["messages"]);
    const dropped = testDb.drop();
    await expect(dropped).rejects.toBeInstanceOf(ScatterQueryError);
    await expect(dropped).rejects.toThrow(/messages.*status/s);
  });

  test("statements through a second handle (connect) are guarded too", async () => {
    const testDb = await open("guardconn");
    const other = testDb.connect({ connectionLimit: 2 });
    await other.db.execute(sql`DELETE FROM outbox WHERE created_at < NOW(3)`);
    await expect(testDb.drop()).rejects.toThrow(/outbox/);
  });

  test("the shard-targeted marker lets a per-shard job scan its shard", async () => {
    const testDb = await open("guardmark");
    await testDb.db.execute(
      sql`SELECT /* vitess:shard-targeted */ dialog_id, id FROM messages WHERE status = 'pending' LIMIT 10`,
    );
    await testDb.drop();
  });
});
