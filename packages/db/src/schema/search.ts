import { mysqlEnum, mysqlTable, primaryKey, varchar } from "drizzle-orm/mysql-core";
import { id } from "./columns";

export const USER_SEARCH_TERM_KINDS = ["handle", "name"] as const;

/**
 * The people-search index: one row per searchable term of a user (the normalised handle, each word
 * of the display name and the whole name), sharded by `prefix` — the term's first three characters.
 * A search needs at least three characters, so its prefix names exactly one shard: `WHERE prefix = ?
 * AND term LIKE 'q%'` is one range read there, never a scatter over the users shards. Written by the
 * app next to the users row (a derived index: rebuilt from users, never the source of truth).
 */
export const userSearchTerms = mysqlTable(
  "user_search_terms",
  {
    prefix: varchar("prefix", { length: 16 }).notNull(),
    term: varchar("term", { length: 64 }).notNull(),
    userId: id("user_id").notNull(),
    kind: mysqlEnum("kind", USER_SEARCH_TERM_KINDS).notNull(),
  },
  (t) => [primaryKey({ name: "user_search_terms_pk", columns: [t.prefix, t.term, t.userId] })],
);
