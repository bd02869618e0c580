import { bigint, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { timestamp } from "./columns";

/**
 * Unsharded (global keyspace): named leases with a fencing token. Snowflake worker ids
 * (`snowflake:<n>`) and per-shard worker jobs (`relay:<shard>`) are both leases here. `fence` grows on
 * every change of holder, so a holder whose lease lapsed can detect that it was superseded.
 */
export const leases = mysqlTable("leases", {
  name: varchar("name", { length: 128 }).primaryKey(),
  holder: varchar("holder", { length: 128 }).notNull(),
  fence: bigint("fence", { mode: "number", unsigned: true }).notNull().default(0),
  expiresAt: timestamp("expires_at").notNull(),
});
