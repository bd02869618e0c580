import { describe, expect, test } from "bun:test";
import {
  analyzeSql as analyzeWith,
  findScatterStatements,
  type KeyspaceVSchema,
  shardingRulesFrom,
} from "@parley/vitess-lint";
import { getTableName, is } from "drizzle-orm";
import { MySqlTable } from "drizzle-orm/mysql-core";
import * as schema from "../src/schema";
import { VSCHEMAS } from "./index";

/**
 * Parley's statements against Parley's VSchemas: the shapes the send path, sync, auth and the workers
 * use route to one shard, the scatters and forbidden assignments are caught, and every table of the
 * schema is declared. (The analyzer itself lives in tooling/vitess-lint.)
 */
const PARLEY_SHARDING_RULES = shardingRulesFrom(VSCHEMAS as Record<string, KeyspaceVSchema>);
const analyzeSql = (sql: string) => analyzeWith(sql, PARLEY_SHARDING_RULES);

/** Statements the send path, sync, auth and the workers use (or drizzle emits for them). */
const ROUTED: string[] = [
  // drizzle forms: backticks, qualified columns, placeholders, parenthesised and()
  "select `id`, `kind` from `dialogs` where `dialogs`.`id` = ?",
  "select `dialog_id`, `seq` from `dialog_messages` where (`dialog_messages`.`dialog_id` = ? and `dialog_messages`.`seq` > ?) order by `dialog_messages`.`seq` limit ?",
  "select `id`, `last_seq` from `dialogs` where `dialogs`.`id` in (?, ?, ?)",
  "select `user_id`, `dialog_id` from `user_dialogs` where (`user_dialogs`.`user_id`, `user_dialogs`.`dialog_id`) in ((?, ?), (?, ?))",
  "select `last_seq` from `dialogs` where `dialogs`.`id` = ? for update",
  "update `dialogs` set `last_seq` = `dialogs`.`last_seq` + 1, `members_version` = `dialogs`.`members_version` + 1 where `dialogs`.`id` = ?",
  "delete from `outbox` where (`outbox`.`dialog_id` = ? and `outbox`.`id` = ?)",
  "insert into `messages` (`dialog_id`, `id`, `sender_id`, `sender_client_id`, `client_msg_id`, `client_seq`, `kind`, `content`, `status`, `seq`, `created_at`, `updated_at`) values (?, ?, ?, ?, ?, ?, ?, ?, ?, default, ?, ?) on duplicate key update `updated_at` = `updated_at`",
  "insert into `user_dialogs` (`user_id`, `dialog_id`, `kind`, `peer_user_id`, `joined_at`) values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
  // hand-written forms from the query modules
  "SELECT last_seq FROM dialogs WHERE id = ? FOR UPDATE",
  "SELECT (SELECT 1 FROM dialog_members WHERE dialog_id = ? AND user_id = ?) AS is_member, (SELECT seq FROM dialog_messages WHERE dialog_id = ? AND msg_id = ?) AS existing_seq",
  "SELECT m.id, t.seq FROM dialog_messages t JOIN messages m ON m.dialog_id = t.dialog_id AND m.id = t.msg_id WHERE t.dialog_id = ? AND t.seq > ? AND t.seq < ? ORDER BY t.seq DESC LIMIT ?",
  "SELECT t.seq FROM dialog_messages t JOIN messages m ON m.dialog_id = t.dialog_id WHERE t.dialog_id = ?",
  "INSERT INTO dialog_client_seqs (dialog_id, client_id, last_client_seq, updated_at) VALUES (?, ?, ?, NOW(3)) ON DUPLICATE KEY UPDATE last_client_seq = GREATEST(last_client_seq, VALUES(last_client_seq)), updated_at = VALUES(updated_at)",
  "INSERT INTO message_tombstones (dialog_id, msg_id, created_at) VALUES (?, ?, NOW(3)) ON DUPLICATE KEY UPDATE created_at = created_at",
  "INSERT INTO dialog_members (dialog_id, user_id, role, joined_at) VALUES (?, ?, 'member', NOW(3)) ON DUPLICATE KEY UPDATE dialog_id = VALUES(dialog_id)",
  "UPDATE dialog_members SET read_seq = GREATEST(read_seq, ?), delivered_seq = GREATEST(delivered_seq, ?) WHERE dialog_id = ? AND user_id = ?",
  "UPDATE messages SET status = 'committed', seq = ?, updated_at = NOW(3) WHERE dialog_id = ? AND id = ? AND status = 'pending'",
  "SELECT seq FROM dialog_messages WHERE dialog_id = ? AND seq BETWEEN ? AND ? AND msg_id = ?",
  "SELECT * FROM messages WHERE id = ?", // routed by the msg_id lookup vindex
  "SELECT * FROM auth_identities WHERE issuer = ? AND subject = ?",
  "SELECT user_id FROM user_handles WHERE handle_norm = 'alice'",
  "SELECT * FROM dialogs WHERE id = 12345 OR id = 67890",
  "SELECT * FROM dialogs d WHERE d.id = ? AND EXISTS (SELECT 1 FROM dialog_members m WHERE m.dialog_id = d.id AND m.user_id = ?)",
  "SELECT * FROM users WHERE id IN (SELECT user_id FROM dialog_members WHERE dialog_id = ?) AND id = ?",
  "INSERT INTO outbox (dialog_id, id, kind, payload, created_at) SELECT dialog_id, id, 'msg', '{}', NOW(3) FROM messages WHERE dialog_id = ? AND id = ?",
  "SELECT /* vitess:shard-targeted */ dialog_id, id FROM messages WHERE status = 'pending' AND created_at < ? ORDER BY created_at LIMIT ?",
  "SELECT * FROM (SELECT dialog_id, seq FROM dialog_messages WHERE dialog_id = ?) AS page WHERE page.seq > ?",
  "SELECT * FROM dialogs WHERE id = ? UNION ALL SELECT * FROM dialogs WHERE id = ?",
  "SELECT * FROM dialog_messages a JOIN dialog_messages b USING (dialog_id) WHERE a.dialog_id = ?",
  // exempt: unsharded, bookkeeping, session and schema statements
  "INSERT INTO leases (name, holder, fence, expires_at) VALUES (?, ?, 1, NOW(3)) ON DUPLICATE KEY UPDATE holder = IF(expires_at < NOW(3), VALUES(holder), holder)",
  "SELECT name FROM leases WHERE expires_at >= NOW(3)",
  "select id, hash, created_at from `__drizzle_migrations` order by created_at desc limit 1",
  "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
  "SHOW TABLES",
  "SET SESSION innodb_lock_wait_timeout = ?",
  "begin",
  "commit",
  "SELECT 1",
  "SELECT NOW(3)",
];

/** Each must be reported, with the offending table. */
const SCATTER: [sql: string, table: string][] = [
  ["SELECT * FROM messages WHERE status = 'pending'", "messages"],
  ["SELECT * FROM dialog_messages WHERE seq > ?", "dialog_messages"],
  ["select `id` from `dialogs` where `dialogs`.`title` = ?", "dialogs"],
  ["SELECT * FROM dialogs", "dialogs"],
  ["SELECT * FROM dialogs WHERE id = ? OR title = ?", "dialogs"],
  ["SELECT * FROM dialogs WHERE id > ?", "dialogs"],
  ["SELECT * FROM dialogs WHERE id NOT IN (?, ?)", "dialogs"],
  ["SELECT * FROM dialogs WHERE NOT (id = ?)", "dialogs"],
  ["SELECT * FROM dialogs WHERE id IN (SELECT dialog_id FROM user_dialogs WHERE user_id = ?)", "dialogs"],
  ["SELECT * FROM user_dialogs WHERE dialog_id = ?", "user_dialogs"], // keyed by user_id
  ["SELECT * FROM auth_identities WHERE issuer = ?", "auth_identities"],
  // joins: the joined table's key must be pinned too (no cross-shard join)
  ["SELECT * FROM user_dialogs ud JOIN dialogs d ON d.id = ud.dialog_id WHERE ud.user_id = ?", "dialogs"],
  ["SELECT * FROM dialog_members m LEFT JOIN users u ON u.id = m.user_id WHERE m.dialog_id = ?", "users"],
  ["SELECT * FROM dialogs d, dialog_members m WHERE d.id = ? AND m.user_id = ?", "dialog_members"],
  // subqueries are blocks of their own
  [
    "SELECT * FROM dialogs WHERE id = ? AND EXISTS (SELECT 1 FROM dialog_members WHERE user_id = ?)",
    "dialog_members",
  ],
  ["SELECT (SELECT COUNT(*) FROM outbox) AS backlog", "outbox"],
  ["SELECT * FROM (SELECT * FROM messages WHERE status = ?) AS x", "messages"],
  ["SELECT * FROM dialogs WHERE id = ? UNION SELECT * FROM dialogs WHERE title = ?", "dialogs"],
  // UPDATE / DELETE
  ["UPDATE messages SET status = 'failed' WHERE status = 'pending' AND created_at < ?", "messages"],
  ["update `dialog_members` set `read_seq` = ? where `dialog_members`.`user_id` = ?", "dialog_members"],
  ["DELETE FROM outbox WHERE created_at < ?", "outbox"],
  ["DELETE FROM client_sessions WHERE family_id = ?", "client_sessions"],
  // INSERT without the key, INSERT … SELECT from a scatter, upserts that move a row
  ["INSERT INTO messages (id, sender_id, status) VALUES (?, ?, 'pending')", "messages"],
  [
    "INSERT INTO outbox (dialog_id, id, kind, payload, created_at) SELECT dialog_id, id, 'x', '{}', NOW(3) FROM messages WHERE status = 'pending'",
    "messages",
  ],
  [
    "INSERT INTO messages (dialog_id, id, status) VALUES (?, ?, 'pending') ON DUPLICATE KEY UPDATE id = id",
    "messages",
  ],
  [
    "insert into `dialog_members` (`dialog_id`, `user_id`) values (?, ?) on duplicate key update `dialog_id` = dialog_id",
    "dialog_members",
  ],
  ["UPDATE users SET id = ? WHERE id = ?", "users"],
  // the marker must be the comment, not a string that happens to contain it
  ["SELECT * FROM outbox WHERE kind = 'vitess:shard-targeted'", "outbox"],
];

describe("scatter guard: SQL analyzer", () => {
  test.each(ROUTED)("passes: %s", (sql) => {
    expect(analyzeSql(sql)).toEqual([]);
  });

  test.each(SCATTER)("fails: %s", (sql, table) => {
    const violations = analyzeSql(sql);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.map((v) => v.table)).toContain(table);
  });

  test("reports every offending table of a statement, and only those", () => {
    const violations = analyzeSql(
      "SELECT * FROM dialogs d JOIN dialog_members m ON m.dialog_id = d.id JOIN users u ON u.id = m.user_id WHERE d.title = ?",
    );
    expect(violations.map((v) => v.table).sort()).toEqual(["dialog_members", "dialogs", "users"]);
    const oneBad = analyzeSql(
      "SELECT * FROM dialogs d JOIN dialog_members m ON m.dialog_id = d.id JOIN users u ON u.id = m.user_id WHERE d.id = ?",
    );
    expect(oneBad.map((v) => v.table)).toEqual(["users"]);
  });

  test("findScatterStatements dedupes repeated statements", () => {
    const bad = "SELECT * FROM outbox";
    expect(
      findScatterStatements([bad, bad, "SELECT * FROM dialogs WHERE id = ?", bad], PARLEY_SHARDING_RULES),
    ).toHaveLength(1);
  });

  test("every table of the Drizzle schema is declared in the VSchema", () => {
    const tables = Object.values(schema)
      .filter((value) => is(value, MySqlTable))
      .map((table) => getTableName(table as MySqlTable));
    const declared = new Set([...PARLEY_SHARDING_RULES.sharded.keys(), ...PARLEY_SHARDING_RULES.unsharded]);
    expect(tables.filter((name) => !declared.has(name))).toEqual([]);
    expect(tables.length).toBeGreaterThan(10);
  });
});
