import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/mysql2";
import { migrate } from "drizzle-orm/mysql2/migrator";
import mysql from "mysql2/promise";
import { createMysqlPool } from "./client";

// Not `new URL("../drizzle", import.meta.url)`: bundlers (Next's Turbopack, for the web app that
// imports this package) treat that form as an asset import and fail on a directory.
export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), "..", "drizzle");

/**
 * Creates the database named in the URL if missing, then applies the committed drizzle-kit
 * migrations. Idempotent: applied migrations are recorded in __drizzle_migrations.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(database)) {
    throw new Error(`database name in the URL must be [A-Za-z0-9_]+ (got "${database}")`);
  }
  parsed.pathname = "/";
  const admin = await mysql.createConnection({ uri: parsed.toString() });
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await admin.end();
  }
  const pool = createMysqlPool(url, 1);
  try {
    await migrate(drizzle(pool), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}
