import { afterAll, beforeAll, expect, test } from "bun:test";
import { mysqlErrno } from "../queries";
import { type SendPool, SendQueryError } from "../send-pool";
import { createTestDatabase, type TestDatabase } from "../testing";

let testDb: TestDatabase;
let pool: SendPool;

beforeAll(async () => {
  testDb = await createTestDatabase("sendpool");
  pool = testDb.connectSendPool({ connectionLimit: 2 });
});
afterAll(async () => {
  await testDb?.drop();
});

test("one query carries several statements and answers one result per statement", async () => {
  const results = await pool.withConnection((conn) =>
    conn.query("SELECT ? AS a;\nSELECT ? AS b", [1, "two"]),
  );
  expect(results).toEqual([[{ a: 1 }], [{ b: "two" }]]);
});

test("a failed query names its text with placeholders and the driver's errno, never the values", async () => {
  const secret = "very secret message text";
  const error = await pool
    .withConnection((conn) => conn.query("SELECT x FROM no_such_table WHERE x = ?", [secret]))
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SendQueryError);
  expect((error as SendQueryError).query).toBe("SELECT x FROM no_such_table WHERE x = ?");
  expect(mysqlErrno(error)).toBe(1146);
  expect(String((error as Error).message)).not.toContain(secret);
});

test("a connection whose work fails is rolled back before it returns to the pool", async () => {
  await pool
    .withConnection(async (conn) => {
      await conn.query("START TRANSACTION;\nSELECT 1", []);
      throw new Error("work failed mid-transaction");
    })
    .catch(() => {});
  // Both connections of the pool answer outside any transaction.
  const states = await Promise.all(
    [0, 1].map(() =>
      pool.withConnection(async (conn) => {
        const [rows] = await conn.query("SELECT @@in_transaction AS t", []);
        await Bun.sleep(20);
        return Number((rows as { t: unknown }[])[0]?.t);
      }),
    ),
  );
  expect(states).toEqual([0, 0]);
});
