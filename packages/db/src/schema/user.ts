import { int, mysqlTable, primaryKey, varchar } from "drizzle-orm/mysql-core";
import { id, timestamp } from "./columns";

/** Sharded by user_id. `handle` keeps the display form; uniqueness lives in user_handles. */
export const users = mysqlTable("users", {
  id: id("id").primaryKey(),
  handle: varchar("handle", { length: 32 }).notNull(),
  displayName: varchar("display_name", { length: 64 }).notNull(),
  /** The avatar: the id of the user's own `user_avatar` attachment (scope = this user); null shows initials. */
  avatarKey: varchar("avatar_key", { length: 191 }),
  /**
   * Bumped by every name or avatar change, in the same UPDATE: clients keep the highest version they
   * saw, so a late or repeated profile event never undoes a newer change.
   */
  profileVersion: int("profile_version", { unsigned: true }).notNull().default(0),
  createdAt: timestamp("created_at").notNull(),
});

/**
 * Sharded by handle_norm (NFKC + case fold): a unique handle across shards is a primary key on the
 * shard that owns the normalised handle, not a unique index that Vitess could not enforce globally.
 */
export const userHandles = mysqlTable(
  "user_handles",
  {
    handleNorm: varchar("handle_norm", { length: 64 }).notNull(),
    userId: id("user_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ name: "user_handles_pk", columns: [t.handleNorm] })],
);
