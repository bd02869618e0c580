import type { Logger } from "drizzle-orm/logger";
import type { PoolConnection as CoreConnection, Pool as CorePool } from "mysql2";
import { createMysqlPool } from "./client";

/**
 * One connection of the send pool. `query` sends one text query — several `;`-separated statements
 * in one round trip — and answers one result per statement (rows, or a header for writes).
 */
export type SendConnection = {
  query: (sql: string, values: readonly unknown[]) => Promise<unknown[]>;
};

/**
 * The send path's own mysql2 pool: the only pool with `multipleStatements`, so a transaction's
 * statements travel together (Confirm holds the dialog lock for two round trips). Only the fixed SQL
 * texts in `queries/confirm.ts` run on it, with every value escaped by the driver; the general pool
 * (auth, reads, everything else) keeps multi-statement queries off.
 *
 * It uses mysql2's callback API: the promise wrapper captures a stack trace per query, which was
 * ~8% of the API's CPU on the send path here.
 */
export type SendPool = {
  /**
   * Runs `work` on one connection. If `work` throws, the connection is rolled back (a no-op outside
   * a transaction) before it returns to the pool, or destroyed when even that fails — a connection
   * never goes back holding a lock.
   */
  withConnection: <T>(work: (connection: SendConnection) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
};

export type CreateSendPoolOptions = {
  connectionLimit?: number;
  /** Sees every query (the test harness feeds the scatter guard). */
  logger?: Logger;
};

/**
 * A failed send-pool query, shaped like drizzle's query errors: `query` is the text with its `?`
 * placeholders and `cause` the driver error (errno, code). The message carries no values — the
 * driver's own message and `sql` include them (message content, ids) and must not reach the logs.
 */
export class SendQueryError extends Error {
  constructor(
    readonly query: string,
    override readonly cause: unknown,
  ) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(`send path query failed${typeof code === "string" ? ` (${code})` : ""}`);
    this.name = "SendQueryError";
  }
}

/** mysql2 only (Vitess vtgate, MySQL, MariaDB); other drivers run the send path per statement. */
export function createSendPool(url: string, options: CreateSendPoolOptions = {}): SendPool {
  const promisePool = createMysqlPool(url, options.connectionLimit ?? 20, true);
  const core: CorePool = promisePool.pool;
  const logger = options.logger;

  const wrap = (conn: CoreConnection): SendConnection => ({
    query: (sql, values) =>
      new Promise((resolve, reject) => {
        logger?.logQuery(sql, values as unknown[]);
        conn.query(sql, values as unknown[] as (string | number | Date | null)[], (error, results) => {
          if (error) reject(new SendQueryError(sql, error));
          // A single statement answers its result directly; several answer an array of results.
          else resolve(isMulti(sql) ? (results as unknown as unknown[]) : [results]);
        });
      }),
  });

  const acquire = () =>
    new Promise<CoreConnection>((resolve, reject) => {
      core.getConnection((error, conn) => (error ? reject(error) : resolve(conn)));
    });

  return {
    async withConnection(work) {
      const conn = await acquire();
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work(wrap(conn));
      } catch (error) {
        await new Promise<void>((resolve) => {
          conn.query("ROLLBACK", (rollbackError) => {
            if (rollbackError) conn.destroy();
            else conn.release();
            resolve();
          });
        });
        throw error;
      }
      conn.release();
      return result;
    },
    close: () => promisePool.end(),
  };
}

/** The send path's texts put `;` only between statements (never in a literal: values are `?`). */
function isMulti(sql: string): boolean {
  return sql.includes(";");
}
