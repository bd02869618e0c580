import {
  boolean,
  index,
  int,
  json,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";
import { id, seq, timestamp } from "./columns";

export const DIALOG_KINDS = ["direct", "group"] as const;
export const MEMBER_ROLES = ["owner", "admin", "member"] as const;

/**
 * Sharded by dialog id. The row is the dialog's lock: Confirm takes it FOR UPDATE, so commit order is
 * seq order. The last-message snapshot rides on the same UPDATE that bumps last_seq (no extra write).
 */
export const dialogs = mysqlTable("dialogs", {
  id: id("id").primaryKey(),
  kind: mysqlEnum("kind", DIALOG_KINDS).notNull(),
  title: varchar("title", { length: 128 }),
  /** A group's avatar: the id of a `dialog_avatar` attachment (scope = this dialog); null shows initials. */
  avatarKey: varchar("avatar_key", { length: 191 }),
  /** Bumped by every title or avatar change (same idea as users.profile_version). */
  profileVersion: int("profile_version", { unsigned: true }).notNull().default(0),
  createdBy: id("created_by").notNull(),
  lastSeq: seq("last_seq").notNull().default(0),
  membersVersion: int("members_version", { unsigned: true }).notNull().default(0),
  memberCount: int("member_count", { unsigned: true }).notNull().default(0),
  lastMessageId: id("last_message_id"),
  lastSenderId: id("last_sender_id"),
  lastPreview: varchar("last_preview", { length: 200 }),
  lastMessageAt: timestamp("last_message_at"),
  createdAt: timestamp("created_at").notNull(),
  /**
   * Set once, under the dialog lock, when a group's member count first reaches the big-group
   * threshold; never cleared (a big group stays big). Messages go out once on `chat.dialog.<id>`
   * after the fan-out grace (docs/design.md "Big groups").
   */
  fanoutSince: timestamp("fanout_since"),
});

/** Sharded by dialog id: membership, role and the member's delivery / read watermarks. */
export const dialogMembers = mysqlTable(
  "dialog_members",
  {
    dialogId: id("dialog_id").notNull(),
    userId: id("user_id").notNull(),
    role: mysqlEnum("role", MEMBER_ROLES).notNull(),
    joinedSeq: seq("joined_seq").notNull().default(0),
    deliveredSeq: seq("delivered_seq").notNull().default(0),
    readSeq: seq("read_seq").notNull().default(0),
    joinedAt: timestamp("joined_at").notNull(),
    /**
     * The member muted the dialog: no notifications and no count in the tab title, on every device
     * (stored here, not in a browser, so it holds wherever the user signs in).
     */
    muted: boolean("muted").notNull().default(false),
  },
  (t) => [primaryKey({ name: "dialog_members_pk", columns: [t.dialogId, t.userId] })],
);

/** Sharded by dialog id: the last clientSeq accepted per (dialog, client) — per-sender order. */
export const dialogClientSeqs = mysqlTable(
  "dialog_client_seqs",
  {
    dialogId: id("dialog_id").notNull(),
    clientId: id("client_id").notNull(),
    lastClientSeq: seq("last_client_seq").notNull().default(0),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [primaryKey({ name: "dialog_client_seqs_pk", columns: [t.dialogId, t.clientId] })],
);

/**
 * Sharded by user id: the inbox index (the dialogs a user is in). `big` marks big groups, so the
 * realtime token's `dlg` claim is one index range read (user_id, big = 1) on the user's shard.
 */
export const userDialogs = mysqlTable(
  "user_dialogs",
  {
    userId: id("user_id").notNull(),
    dialogId: id("dialog_id").notNull(),
    kind: mysqlEnum("kind", DIALOG_KINDS).notNull(),
    peerUserId: id("peer_user_id"),
    joinedAt: timestamp("joined_at").notNull(),
    big: boolean("big").notNull().default(false),
  },
  (t) => [
    primaryKey({ name: "user_dialogs_pk", columns: [t.userId, t.dialogId] }),
    index("user_dialogs_big_idx").on(t.userId, t.big, t.dialogId),
    // The inbox reads a user's most recently joined dialogs: one backward range, no sort.
    index("user_dialogs_joined_idx").on(t.userId, t.joinedAt, t.dialogId),
  ],
);

/** Sharded by dialog id: the timeline. seq is assigned under the dialog lock; msg_id appears once. */
export const dialogMessages = mysqlTable(
  "dialog_messages",
  {
    dialogId: id("dialog_id").notNull(),
    seq: seq("seq").notNull(),
    msgId: id("msg_id").notNull(),
    senderId: id("sender_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "dialog_messages_pk", columns: [t.dialogId, t.seq] }),
    uniqueIndex("dialog_messages_msg_uq").on(t.dialogId, t.msgId),
  ],
);

/** Sharded by dialog id: a msg_id the reconciler gave up on; a late Confirm sees it and aborts. */
export const messageTombstones = mysqlTable(
  "message_tombstones",
  {
    dialogId: id("dialog_id").notNull(),
    msgId: id("msg_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ name: "message_tombstones_pk", columns: [t.dialogId, t.msgId] })],
);

/** Sharded by dialog id: committed events not yet published to NATS (written inside Confirm). */
export const outbox = mysqlTable(
  "outbox",
  {
    dialogId: id("dialog_id").notNull(),
    id: id("id").notNull(),
    kind: varchar("kind", { length: 32 }).notNull(),
    payload: json("payload").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "outbox_pk", columns: [t.dialogId, t.id] }),
    index("outbox_created_idx").on(t.createdAt),
  ],
);
