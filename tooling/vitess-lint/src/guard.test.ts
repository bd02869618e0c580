import { describe, expect, test } from "bun:test";
import { analyzeSql, findScatterStatements, formatViolations } from "./guard";
import { shardingRulesFrom } from "./sharding-rules";

/**
 * The analyzer on a small VSchema of its own (Parley's statements against Parley's VSchemas are
 * tested in packages/db/vitess): accounts by id, orders by account_id with a lookup vindex on id,
 * settings unsharded.
 */
const RULES = shardingRulesFrom({
  shop: {
    sharded: true,
    vindexes: { hash: { type: "hash" }, order_lookup: { type: "consistent_lookup_unique" } },
    tables: {
      accounts: { column_vindexes: [{ column: "id", name: "hash" }] },
      orders: {
        column_vindexes: [
          { column: "account_id", name: "hash" },
          { column: "id", name: "order_lookup" },
        ],
      },
    },
  },
  global: { sharded: false, tables: { settings: {} } },
});
const tablesOf = (sql: string) => analyzeSql(sql, RULES).map((violation) => violation.table);

describe("vitess-lint: routing as vtgate plans it", () => {
  test.each([
    "SELECT * FROM accounts WHERE id = ?",
    "SELECT * FROM orders WHERE account_id IN (?, ?) AND total > 10",
    "SELECT * FROM orders WHERE id = ?", // the lookup vindex routes it
    "SELECT * FROM accounts a JOIN orders o ON o.account_id = a.id WHERE a.id = ?",
    "SELECT * FROM accounts WHERE id = 1 OR id = 2",
    "SELECT * FROM settings",
    "INSERT INTO orders (account_id, id, total) VALUES (?, ?, ?)",
    "INSERT INTO orders (account_id, id, total) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE account_id = VALUES(account_id)",
    "UPDATE orders SET total = total + 1 WHERE account_id = ? AND id = ?",
    "SELECT /* vitess:shard-targeted */ id FROM orders WHERE total > 100",
  ])("routes: %s", (sql) => {
    expect(analyzeSql(sql, RULES)).toEqual([]);
  });

  test.each([
    ["SELECT * FROM accounts WHERE name = ?", "accounts"],
    ["SELECT * FROM accounts WHERE id = ? OR name = ?", "accounts"],
    ["SELECT * FROM accounts a JOIN orders o ON o.total = a.id WHERE a.id = ?", "orders"],
    ["INSERT INTO orders (account_id, total) VALUES (?, ?)", "orders"],
    ["UPDATE accounts SET id = ? WHERE id = ?", "accounts"],
    ["DELETE FROM orders WHERE total = 0", "orders"],
    ["SELECT 1; SELECT * FROM orders", "orders"],
    ["SELECT * FROM orders WHERE note = 'vitess:shard-targeted'", "orders"],
  ])("scatters: %s", (sql, table) => {
    expect(tablesOf(sql)).toContain(table);
  });

  test("each distinct statement is analysed once, and violations read as sentences", () => {
    const scatter = "SELECT * FROM accounts";
    const violations = findScatterStatements([scatter, scatter, "SELECT * FROM settings"], RULES);
    expect(violations).toHaveLength(1);
    expect(formatViolations(violations)).toContain("accounts is not constrained by its sharding key (id)");
  });
});
