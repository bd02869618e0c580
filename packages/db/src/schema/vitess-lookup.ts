import { mysqlTable, varbinary } from "drizzle-orm/mysql-core";
import { id } from "./columns";

/**
 * Backs the Vitess `consistent_lookup_unique` vindex `message_id_lookup` (packages/db/vitess): maps a
 * msg_id to the keyspace id of its dialog's shard, so `messages WHERE id = ?` routes to one shard
 * although messages are sharded by dialog_id. vtgate writes it on every insert into messages; the app
 * never does. Sharded itself by `id` (hash): at hundreds of billions of rows it cannot be unsharded.
 * On plain MySQL / MariaDB it stays empty.
 */
export const messageIdLookup = mysqlTable("message_id_lookup", {
  id: id("id").primaryKey(),
  // The hash vindex yields 8-byte keyspace ids; 10 leaves room as the Vitess guide does.
  keyspaceId: varbinary("keyspace_id", { length: 10 }).notNull(),
});
