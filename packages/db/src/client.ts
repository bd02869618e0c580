import { Client as PlanetScaleClient } from "@planetscale/database";
import type { Logger } from "drizzle-orm/logger";
import type { MySqlDatabase, MySqlQueryResultHKT, PreparedQueryHKTBase } from "drizzle-orm/mysql-core";
import { drizzle as drizzleMysql2 } from "drizzle-orm/mysql2";
import { drizzle as drizzlePlanetScale } from "drizzle-orm/planetscale-serverless";
import mysql from "mysql2/promise";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The driver-independent database handle every query function takes first. */
export type Db = MySqlDatabase<MySqlQueryResultHKT, PreparedQueryHKTBase, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** A query function may run on the handle or inside a transaction. */
export type DbOrTx = Db | Tx;

export type DbHandle = {
  db: Db;
  close: () => Promise<void>;
  driver: "mysql2" | "planetscale";
};

export type CreateDbOptions = {
  /** Pool size for mysql2; serverless callers keep it small. */
  connectionLimit?: number;
  /** Custom fetch for the PlanetScale HTTP driver (tests point it at a local server). */
  fetch?: typeof fetch;
  /**
   * Sees every statement this handle sends (drizzle's logger hook). The test harness captures them
   * for the scatter guard; `true` logs to the console.
   */
  logger?: Logger | boolean;
};

/**
 * Picks the driver from the URL: `mysql://` (MySQL 8, MariaDB, Vitess vtgate) uses a mysql2 pool;
 * `planetscale://user:pass@host` or `https://user:pass@host` uses PlanetScale's HTTP driver.
 * Multi-statement queries are always off here; only the send path's own pool (createSendPool) has them.
 */
export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  const parsed = new URL(url);
  if (parsed.protocol === "planetscale:" || parsed.protocol === "https:") {
    return createPlanetScaleDb(parsed, options);
  }
  if (parsed.protocol !== "mysql:") {
    throw new Error(
      `DATABASE_URL must start with mysql://, planetscale:// or https:// (got ${parsed.protocol})`,
    );
  }
  const pool = createMysqlPool(url, options.connectionLimit ?? 20);
  const db = drizzleMysql2(pool, {
    schema,
    mode: "default",
    logger: options.logger ?? false,
  }) as unknown as Db;
  return { db, driver: "mysql2", close: () => pool.end() };
}

/** Seconds a statement waits for a row lock before failing with 1205 (see createMysqlPool). */
export const LOCK_WAIT_TIMEOUT_SECONDS = 3;

/**
 * BIGINT must come back exact: snowflakes exceed 2^53, so numbers as strings. Every session runs in
 * UTC so NOW() and the DATETIME columns agree with JavaScript Dates, and with a short lock wait:
 * InnoDB's 50 s default would let a hot dialog's queue of senders pile up instead of answering
 * "busy, retry" (the send path's dialog lock is held for a few statements only).
 * `multipleStatements` is for the send path's pool only (see send-pool.ts).
 */
export function createMysqlPool(
  url: string,
  connectionLimit: number,
  multipleStatements = false,
): mysql.Pool {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit,
    multipleStatements,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: "Z",
    enableKeepAlive: true,
  });
  pool.pool.on("connection", (conn) => {
    conn.query(`SET time_zone = '+00:00', innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_SECONDS}`);
  });
  return pool;
}

function createPlanetScaleDb(parsed: URL, options: CreateDbOptions): DbHandle {
  const client = new PlanetScaleClient({
    host: parsed.host,
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const db = drizzlePlanetScale(client, { schema, logger: options.logger ?? false }) as unknown as Db;
  return { db, driver: "planetscale", close: async () => {} };
}
