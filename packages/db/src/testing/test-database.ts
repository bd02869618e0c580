import { randomBytes } from "node:crypto";
import {
  findScatterStatements,
  formatViolations,
  type GuardViolation,
  type KeyspaceVSchema,
  shardingRulesFrom,
} from "@parley/vitess-lint";
import mysql from "mysql2/promise";
import { VSCHEMAS } from "../../vitess";
import { type CreateDbOptions, createDb, type Db, type DbHandle } from "../client";
import { migrateDatabase } from "../migrate";
import { type CreateSendPoolOptions, createSendPool, type SendPool } from "../send-pool";
import { requireMariaDb, TEST_DATABASE_URL } from "./require-mariadb";

export type TestDatabase = {
  url: string;
  name: string;
  db: Db;
  /** Every distinct statement sent through `db` (and handles from `connect`), first-seen order. */
  statements: ReadonlySet<string>;
  /** The captured statements the scatter guard rejects so far. */
  scatterStatements: () => GuardViolation[];
  /** Another handle on the same database (own pool), captured and guarded like `db`. */
  connect: (options?: Omit<CreateDbOptions, "logger">) => DbHandle;
  /** The send path's multi-statement pool on the same database, captured and guarded like `db`. */
  connectSendPool: (options?: Omit<CreateSendPoolOptions, "logger">) => SendPool;
  /**
   * Closes the handles and drops the database, then throws if any captured statement on a sharded
   * table was a scatter (see packages/db/vitess) — so every integration test file guards Vitess
   * readiness just by calling drop() in afterAll.
   */
  drop: () => Promise<void>;
};

/** What vtgate would do with each table: from the committed VSchemas, so guard and routing agree. */
const SHARDING_RULES = shardingRulesFrom(VSCHEMAS as Record<string, KeyspaceVSchema>);

export class ScatterQueryError extends Error {
  constructor(
    readonly database: string,
    readonly violations: GuardViolation[],
  ) {
    super(
      `scatter guard: ${violations.length} statement(s) would not route to one shard in Vitess ` +
        `(constrain the sharding key with = or IN, or mark a per-shard job /* vitess:shard-targeted */):\n` +
        formatViolations(violations),
    );
    this.name = "ScatterQueryError";
  }
}

/**
 * A fresh, migrated database per integration test file, dropped by `drop()` in afterAll. Names carry
 * the pid and random bytes so parallel test processes never share one. Migrations run on their own
 * connection and are not captured.
 */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  await requireMariaDb();
  const name = `parley_test_${label.replace(/[^a-z0-9]/gi, "").slice(0, 16)}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const base = new URL(TEST_DATABASE_URL);
  base.pathname = `/${name}`;
  const url = base.toString();
  await migrateDatabase(url);
  // Distinct SQL texts only: a load-heavy test repeats a few statements millions of times.
  const statements = new Set<string>();
  const logger = { logQuery: (query: string) => void statements.add(query) };
  const handles: Pick<DbHandle, "close">[] = [];
  const connect = (options: Omit<CreateDbOptions, "logger"> = {}) => {
    const handle = createDb(url, { connectionLimit: 10, ...options, logger });
    handles.push(handle);
    return handle;
  };
  const connectSendPool = (options: Omit<CreateSendPoolOptions, "logger"> = {}) => {
    const pool = createSendPool(url, { connectionLimit: 10, ...options, logger });
    handles.push(pool);
    return pool;
  };
  const main = connect();
  let dropped = false;
  return {
    url,
    name,
    db: main.db,
    statements,
    scatterStatements: () => findScatterStatements(statements, SHARDING_RULES),
    connect,
    connectSendPool,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await Promise.allSettled(handles.map((handle) => handle.close()));
      const admin = await mysql.createConnection({ uri: TEST_DATABASE_URL });
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
      const violations = findScatterStatements(statements, SHARDING_RULES);
      if (violations.length > 0) throw new ScatterQueryError(name, violations);
    },
  };
}
