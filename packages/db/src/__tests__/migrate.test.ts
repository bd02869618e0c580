import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { migrateDatabase } from "../migrate";
import { createTestDatabase, type TestDatabase } from "../testing";

const EXPECTED_TABLES = [
  "attachments",
  "auth_identities",
  "client_sessions",
  "dialog_client_seqs",
  "dialog_members",
  "dialog_messages",
  "dialogs",
  "leases",
  "message_id_lookup",
  "message_reactions",
  "message_tombstones",
  "messages",
  "outbox",
  "password_credentials",
  "user_clients",
  "user_dialogs",
  "user_handles",
  "user_search_terms",
  "users",
];

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase("migrate");
});
afterAll(async () => {
  await testDb?.drop();
});

async function listTables(): Promise<string[]> {
  const [rows] = (await testDb.db.execute(sql`SHOW TABLES`)) as unknown as [Record<string, string>[]];
  return rows.map((row) => Object.values(row)[0] ?? "").filter((name) => !name.startsWith("__drizzle"));
}

describe("migrations", () => {
  test("create every table of DESIGN.md", async () => {
    expect((await listTables()).sort()).toEqual(EXPECTED_TABLES);
  });

  test("apply a second (and third) time without error or change", async () => {
    const before = await listTables();
    await migrateDatabase(testDb.url);
    await migrateDatabase(testDb.url);
    expect(await listTables()).toEqual(before);
  });

  test("BIGINT ids above 2^53 round-trip exactly", async () => {
    const big = "18446744073709551615"; // max BIGINT UNSIGNED
    await testDb.db.execute(
      sql`INSERT INTO users (id, handle, display_name, created_at) VALUES (${big}, 'max', 'Max', NOW(3))`,
    );
    const [rows] = (await testDb.db.execute(sql`SELECT id FROM users WHERE id = ${big}`)) as unknown as [
      { id: string }[],
    ];
    expect(rows[0]?.id).toBe(big);
  });
});
