import { schema } from "@parley/db";
import { clientRevokeSubject, type TRevokeEvent } from "@parley/protocol";
import { and, desc, eq, exists, gt, inArray, isNull, notExists, or, sql } from "drizzle-orm";
import { type AuthDeps, affectedRows } from "./deps";

const { userClients, clientSessions } = schema;

export type ClientKind = "browser" | "token";

export type ClientInfo = {
  id: string;
  name: string;
  kind: ClientKind;
  createdAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
  /** A browser tab's client: the browser (cookie) client it was opened from. */
  parentClientId: string | null;
};

/**
 * Every sign-in is a new client: its own sessions, tokens and revocation switch. A browser tab is one
 * too, with `parentClientId` naming the browser's cookie client.
 */
export async function createClient(
  deps: AuthDeps,
  userId: string,
  kind: ClientKind,
  name: string,
  parentClientId: string | null = null,
): Promise<string> {
  const clientId = await deps.ids.nextId();
  const now = new Date();
  await deps.db
    .insert(userClients)
    .values({ userId, clientId, name, kind, createdAt: now, lastSeenAt: now, parentClientId });
  return clientId;
}

export type ClientRow = {
  name: string;
  kind: ClientKind;
  revokedAt: Date | null;
  parentClientId: string | null;
};

/** One client of this user (one shard), or null. */
export async function readClient(
  db: AuthDeps["db"],
  userId: string,
  clientId: string,
): Promise<ClientRow | null> {
  const rows = await db
    .select({
      name: userClients.name,
      kind: userClients.kind,
      revokedAt: userClients.revokedAt,
      parentClientId: userClients.parentClientId,
    })
    .from(userClients)
    .where(and(eq(userClients.userId, userId), eq(userClients.clientId, clientId)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * A tab client still holds a refresh token that has not expired (revoked or not: a revoked tab stays
 * listed, marked, until its tokens lapse). Correlated on the same user's shard (`user_id = ?`).
 */
function tabHasRefreshUntil(db: AuthDeps["db"], userId: string, after: Date) {
  return db
    .select({ one: sql`1` })
    .from(clientSessions)
    .where(
      and(
        eq(clientSessions.userId, userId),
        eq(clientSessions.clientId, userClients.clientId),
        eq(clientSessions.kind, "refresh"),
        gt(clientSessions.expiresAt, after),
      ),
    );
}

/**
 * This user's clients, newest activity first. Browser tabs whose refresh tokens have all expired
 * are dead (closed, or asleep past their short life) and left out: an open tab refreshes every
 * ≤ 15 min, which slides its refresh token's expiry.
 */
export async function listClients(db: AuthDeps["db"], userId: string): Promise<ClientInfo[]> {
  const rows = await db
    .select({
      id: userClients.clientId,
      name: userClients.name,
      kind: userClients.kind,
      createdAt: userClients.createdAt,
      lastSeenAt: userClients.lastSeenAt,
      revokedAt: userClients.revokedAt,
      parentClientId: userClients.parentClientId,
    })
    .from(userClients)
    .where(
      and(
        eq(userClients.userId, userId),
        or(isNull(userClients.parentClientId), exists(tabHasRefreshUntil(db, userId, new Date()))),
      ),
    )
    .orderBy(desc(userClients.lastSeenAt))
    .limit(500);
  return rows;
}

/** Dead tabs revoked per `openTab` at most (older ones go with the next tabs the browser opens). */
export const DEAD_TAB_SWEEP_LIMIT = 100;
/** A tab counts as dead only this long after its last refresh token expired (clock skew between API processes). */
const DEAD_TAB_MARGIN_MS = 5 * 60 * 1000;

/**
 * Revokes the tabs of one browser whose refresh tokens have all expired (for longer than a small
 * margin): one bounded UPDATE on the user's shard. Their access and realtime tokens died long
 * before, so no socket or call can still be using them and no revoke event is needed; their
 * refresh tokens stay "expired" (not "revoked"), so a tab that wakes up after its life knows to open
 * a fresh client with the cookie rather than to sign out.
 */
export async function revokeDeadTabs(
  db: AuthDeps["db"],
  userId: string,
  browserClientId: string,
): Promise<number> {
  const now = Date.now();
  const result = await db
    .update(userClients)
    .set({ revokedAt: new Date(now) })
    .where(
      and(
        eq(userClients.userId, userId),
        eq(userClients.parentClientId, browserClientId),
        isNull(userClients.revokedAt),
        notExists(tabHasRefreshUntil(db, userId, new Date(now - DEAD_TAB_MARGIN_MS))),
      ),
    )
    .limit(DEAD_TAB_SWEEP_LIMIT);
  return affectedRows(result);
}

export async function touchClient(db: AuthDeps["db"], userId: string, clientId: string): Promise<void> {
  await db
    .update(userClients)
    .set({ lastSeenAt: new Date() })
    .where(and(eq(userClients.userId, userId), eq(userClients.clientId, clientId)));
}

/** Null when the client does not exist for this user; otherwise its revoked_at. */
export async function readClientRevokedAt(
  db: AuthDeps["db"],
  userId: string,
  clientId: string,
): Promise<{ revokedAt: Date | null } | null> {
  const rows = await db
    .select({ revokedAt: userClients.revokedAt })
    .from(userClients)
    .where(and(eq(userClients.userId, userId), eq(userClients.clientId, clientId)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Revokes one client and, when it is a browser, every tab opened from it: marks them, kills their
 * sessions and refresh tokens in the same shard (all keyed by user_id), then tells gateways to close
 * their sockets (one `chat.client.<id>.revoke` per client). Returns the ids revoked (the client first),
 * or null when the client is not the user's.
 */
export async function revokeClient(
  deps: AuthDeps,
  userId: string,
  clientId: string,
): Promise<string[] | null> {
  const existing = await readClientRevokedAt(deps.db, userId, clientId);
  if (!existing) return null;
  const tabs = await deps.db
    .select({ id: userClients.clientId })
    .from(userClients)
    .where(and(eq(userClients.userId, userId), eq(userClients.parentClientId, clientId)))
    .limit(10_000);
  const ids = [clientId, ...tabs.map((tab) => tab.id)];
  const now = new Date();
  await deps.db
    .update(userClients)
    .set({ revokedAt: now })
    .where(
      and(eq(userClients.userId, userId), inArray(userClients.clientId, ids), isNull(userClients.revokedAt)),
    );
  // Sessions and refresh tokens die at once, not at their expiry.
  await deps.db
    .update(clientSessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(clientSessions.userId, userId),
        inArray(clientSessions.clientId, ids),
        isNull(clientSessions.revokedAt),
      ),
    );
  for (const id of ids) {
    const event: TRevokeEvent = { type: "revoke", userId, clientId: id };
    deps.events.publish(clientRevokeSubject(id), event);
  }
  return ids;
}

/**
 * `revoked_at` cached per process for a short time: access tokens are verified without a lookup, so
 * this bounded-staleness check is what makes a revoke bite within seconds at one read per client.
 * Keyed by (user, client), like the row it caches: a client id is live only for its own user, so an
 * answer for one user's client must never answer for a token naming another user with that id.
 */
export function createRevocationCache(db: AuthDeps["db"], ttlMs: number) {
  const cache = new Map<string, { revoked: boolean; at: number }>();
  const MAX_ENTRIES = 100_000;
  const keyOf = (userId: string, clientId: string) => `${userId}:${clientId}`;
  return {
    async isRevoked(userId: string, clientId: string): Promise<boolean> {
      const key = keyOf(userId, clientId);
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.revoked;
      const row = await readClientRevokedAt(db, userId, clientId);
      // An unknown client counts as revoked: a token must belong to a live client row.
      const revoked = !row || row.revokedAt !== null;
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(key, { revoked, at: Date.now() });
      return revoked;
    },
    /** This process learns its own revokes immediately. */
    markRevoked(userId: string, clientId: string): void {
      cache.set(keyOf(userId, clientId), { revoked: true, at: Date.now() });
    },
  };
}
