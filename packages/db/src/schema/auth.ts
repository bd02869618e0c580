import { char, index, mysqlEnum, mysqlTable, primaryKey, varchar } from "drizzle-orm/mysql-core";
import { id, timestamp } from "./columns";

/** Sharded by (issuer, subject): an OIDC identity → the user it signs in. */
export const authIdentities = mysqlTable(
  "auth_identities",
  {
    issuer: varchar("issuer", { length: 255 }).notNull(),
    subject: varchar("subject", { length: 255 }).notNull(),
    userId: id("user_id").notNull(),
    email: varchar("email", { length: 320 }),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ name: "auth_identities_pk", columns: [t.issuer, t.subject] })],
);

/** Sharded by user_id. Only the argon2id hash (PHC string) is stored. */
export const passwordCredentials = mysqlTable("password_credentials", {
  userId: id("user_id").primaryKey(),
  passwordHash: varchar("password_hash", { length: 255 }).notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

/**
 * Sharded by user_id. One row per device / browser / browser tab / CLI that signed in. A browser tab
 * is a client of its own whose `parent_client_id` is the browser's cookie client (same user, same
 * shard): revoking the browser revokes its tabs.
 */
export const userClients = mysqlTable(
  "user_clients",
  {
    userId: id("user_id").notNull(),
    clientId: id("client_id").notNull(),
    name: varchar("name", { length: 128 }).notNull(),
    kind: mysqlEnum("kind", ["browser", "token"]).notNull(),
    createdAt: timestamp("created_at").notNull(),
    lastSeenAt: timestamp("last_seen_at").notNull(),
    gateway: varchar("gateway", { length: 64 }),
    revokedAt: timestamp("revoked_at"),
    parentClientId: id("parent_client_id"),
  },
  (t) => [
    primaryKey({ name: "user_clients_pk", columns: [t.userId, t.clientId] }),
    index("user_clients_parent_idx").on(t.userId, t.parentClientId),
    // The worker's per-shard cleanup finds long-revoked clients by this range, not a table scan.
    index("user_clients_revoked_idx").on(t.revokedAt),
  ],
);

/**
 * Sharded by user_id, so revoking a client touches one shard. Holds only SHA-256 hashes of browser
 * session tokens and refresh tokens; `family_id` ties a refresh chain together so reuse of a spent
 * token can revoke the whole chain.
 */
export const clientSessions = mysqlTable(
  "client_sessions",
  {
    userId: id("user_id").notNull(),
    tokenHash: char("token_hash", { length: 64 }).notNull(),
    clientId: id("client_id").notNull(),
    kind: mysqlEnum("kind", ["session", "refresh"]).notNull(),
    familyId: id("family_id").notNull(),
    successorHash: char("successor_hash", { length: 64 }),
    rotatedAt: timestamp("rotated_at"),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    revokedAt: timestamp("revoked_at"),
  },
  (t) => [
    primaryKey({ name: "client_sessions_pk", columns: [t.userId, t.tokenHash] }),
    index("client_sessions_client_idx").on(t.userId, t.clientId),
    index("client_sessions_family_idx").on(t.userId, t.familyId),
    // The worker's per-shard cleanup finds long-expired tokens by this range, not a table scan.
    index("client_sessions_expires_idx").on(t.expiresAt),
  ],
);
