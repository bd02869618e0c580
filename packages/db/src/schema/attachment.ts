import {
  bigint,
  boolean,
  index,
  int,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  varchar,
} from "drizzle-orm/mysql-core";
import { id, timestamp } from "./columns";

/** What an upload is for; it decides whose shard holds the row and who may read it. */
export const ATTACHMENT_PURPOSES = ["message", "dialog_avatar", "user_avatar"] as const;
/** `uploading` until every byte (and the thumbnail) is stored; only `uploaded` rows can be sent. */
export const ATTACHMENT_STATES = ["uploading", "uploaded"] as const;

/**
 * Uploaded files, sharded by `scope_id`: the dialog for a message attachment or a group avatar,
 * the user for a profile avatar. A message attachment's row lives on its dialog's shard, so the
 * send check (owner, dialog, state) and every download's membership check are single-shard reads
 * next to `dialog_members`. Bytes live in object storage under `attachments/<scope>/<id>` (and
 * `…/<id>.thumb` for an image's preview); the row holds what the server learnt, not what the
 * client claimed (the type is sniffed, the size counted).
 */
export const attachments = mysqlTable(
  "attachments",
  {
    scopeId: id("scope_id").notNull(),
    id: id("id").notNull(),
    purpose: mysqlEnum("purpose", ATTACHMENT_PURPOSES).notNull(),
    ownerId: id("owner_id").notNull(),
    /** The uploader's file name, cleaned (shown, and offered on download; never a storage path). */
    name: varchar("name", { length: 255 }).notNull(),
    mime: varchar("mime", { length: 100 }).notNull(),
    size: bigint("size", { mode: "number", unsigned: true }).notNull().default(0),
    width: int("width", { unsigned: true }),
    height: int("height", { unsigned: true }),
    hasThumb: boolean("has_thumb").notNull().default(false),
    state: mysqlEnum("state", ATTACHMENT_STATES).notNull(),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "attachments_pk", columns: [t.scopeId, t.id] }),
    // The worker's per-shard sweep of uploads a crash left unfinished (state, then age).
    index("attachments_state_created_idx").on(t.state, t.createdAt),
  ],
);
