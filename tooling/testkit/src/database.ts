import { randomBytes } from "node:crypto";
import { createDb, type Db, migrateDatabase } from "@parley/db";
import mysql from "mysql2/promise";
import { requireMariaDb, TEST_DATABASE_URL } from "./services";

export type TestDatabase = { url: string; name: string; db: Db; drop: () => Promise<void> };

/**
 * A fresh, migrated database per integration test file, dropped by `drop()` in afterAll. Names carry
 * the pid and random bytes so parallel test processes never share one.
 */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  await requireMariaDb();
  const name = `parley_test_${label.replace(/[^a-z0-9]/gi, "").slice(0, 16)}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const base = new URL(TEST_DATABASE_URL);
  base.pathname = `/${name}`;
  const url = base.toString();
  await migrateDatabase(url);
  const handle = createDb(url, { connectionLimit: 10 });
  return {
    url,
    name,
    db: handle.db,
    drop: async () => {
      await handle.close();
      const admin = await mysql.createConnection({ uri: TEST_DATABASE_URL });
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
    },
  };
}
