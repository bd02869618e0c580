import { sql } from "drizzle-orm";
import {
  customType,
  index,
  json,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";
import { id, seq, timestamp } from "./columns";

/**
 * Text that compares case- and accent-insensitively, as people search (`Café` is found by `cafe`).
 * The database default is utf8mb4_bin (exact keys everywhere else), under which FULLTEXT would be
 * case-sensitive. utf8mb4_unicode_ci exists on MariaDB and MySQL (Vitess) alike.
 */
const foldedText = customType<{ data: string }>({
  dataType: () => "text CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
});

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
    searchText: foldedText("search_text").generatedAlwaysAs(sql`json_value(content, '$.text')`, {
      mode: "stored",
    }),
    status: mysqlEnum("status", MESSAGE_STATUSES).notNull(),
    seq: seq("seq"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
    /** Change rows (kind edit / delete / reaction): the message they change, in the same dialog. */
    targetId: id("target_id"),
    /**
     * The message's current state, kept on its row so a page shows it without replaying changes:
     * `version` is the seq of the last change applied (a change with a lower seq is ignored), the
     * reaction summary is the aggregate of message_reactions as of that change.
     */
    version: seq("version").notNull().default(0),
    editedAt: timestamp("edited_at"),
    reactions: json("reactions"),
  },
  (t) => [
    primaryKey({ name: "messages_pk", columns: [t.dialogId, t.id] }),
    uniqueIndex("messages_client_msg_uq").on(t.dialogId, t.senderClientId, t.clientMsgId),
    index("messages_status_idx").on(t.status, t.createdAt),
    // A delete clears the text of the target's edit rows too: found by (dialog, target).
    index("messages_target_idx").on(t.dialogId, t.targetId),
  ],
);

/**
 * Sharded by dialog id: who reacted with what, one row per (message, emoji, user) — a repeated
 * reaction is a no-op, a removal deletes the row. Confirm keeps the summary on the message row.
 */
export const messageReactions = mysqlTable(
  "message_reactions",
  {
    dialogId: id("dialog_id").notNull(),
    messageId: id("message_id").notNull(),
    emoji: varchar("emoji", { length: 16 }).notNull(),
    userId: id("user_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "message_reactions_pk", columns: [t.dialogId, t.messageId, t.emoji, t.userId] }),
  ],
);
