import { sql } from "drizzle-orm";
import {
  index,
  json,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  text,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";
import { id, seq, timestamp } from "./columns";

export const MESSAGE_STATUSES = ["pending", "committed", "failed"] as const;

/**
 * Sharded by dialog id (not msg_id): send-once and every sync page stay on one shard. In Vitess a
 * lookup vindex maps msg_id → dialog_id so a message is still found by its id alone.
 * The unique (dialog, sender client, client_msg_id) is forever: a retry finds the original row.
 */
export const messages = mysqlTable(
  "messages",
  {
    dialogId: id("dialog_id").notNull(),
    id: id("id").notNull(),
    senderId: id("sender_id").notNull(),
    senderClientId: id("sender_client_id").notNull(),
    clientMsgId: varchar("client_msg_id", { length: 64 }).notNull(),
    clientSeq: seq("client_seq").notNull(),
    kind: varchar("kind", { length: 16 }).notNull(),
    content: json("content").notNull(),
    /**
     * The searchable text: derived by the database from the current content, so an edit re-indexes
     * it in the same UPDATE and content without text (a tombstone, an attachment alone) is NULL and
     * never matches. Carries the FULLTEXT index `messages_search_ft` (a custom migration: Drizzle
     * cannot declare FULLTEXT). Search always pins dialog_id, so each query stays on its shard.
     */
    searchText: text("search_text").generatedAlwaysAs(sql`json_value(content, '$.text')`, { mode: "stored" }),
    status: mysqlEnum("status", MESSAGE_STATUSES).notNull(),
    seq: seq("seq"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "messages_pk", columns: [t.dialogId, t.id] }),
    uniqueIndex("messages_client_msg_uq").on(t.dialogId, t.senderClientId, t.clientMsgId),
    index("messages_status_idx").on(t.status, t.createdAt),
  ],
);
