import { schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { touchClient } from "./clients";
import type { AuthDeps } from "./deps";
import { generateOpaqueToken, hashesEqual, hashToken, parseOpaqueToken } from "./tokens";

const { clientSessions } = schema;

/** A browser session (the Lucia guide, in our own code). */
export type BrowserSession = { userId: string; clientId: string; expiresAt: Date; renewed: boolean };

export async function createBrowserSession(
  db: AuthDeps["db"],
  userId: string,
  clientId: string,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateOpaqueToken(userId);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  // Only the SHA-256 of the token is stored: a database leak cannot be replayed as a cookie.
  await db.insert(clientSessions).values({
    userId,
    tokenHash: hashToken(token),
    clientId,
    kind: "session",
    familyId: clientId,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

/**
 * Validates a session cookie. The user id inside the token routes the lookup to one shard. Sliding
 * expiry: past half its life a used session is extended, so active users stay signed in and idle
 * sessions lapse.
 */
export async function validateBrowserSession(
  db: AuthDeps["db"],
  token: string,
  ttlSeconds: number,
): Promise<BrowserSession | null> {
  const parsed = parseOpaqueToken(token);
  if (!parsed) return null;
  const tokenHash = hashToken(parsed.token);
  const rows = await db
    .select()
    .from(clientSessions)
    .where(and(eq(clientSessions.userId, parsed.userId), eq(clientSessions.tokenHash, tokenHash)))
    .limit(1);
  const row = rows[0];
  // Constant-time re-check of the hash: never trust a collation-dependent match for a secret.
  if (row?.kind !== "session" || !hashesEqual(row.tokenHash, tokenHash)) return null;
  if (row.revokedAt) return null;
  const now = Date.now();
  if (row.expiresAt.getTime() <= now) return null;
  if (row.expiresAt.getTime() - now >= (ttlSeconds * 1000) / 2) {
    return { userId: row.userId, clientId: row.clientId, expiresAt: row.expiresAt, renewed: false };
  }
  const expiresAt = new Date(now + ttlSeconds * 1000);
  await db
    .update(clientSessions)
    .set({ expiresAt })
    .where(and(eq(clientSessions.userId, row.userId), eq(clientSessions.tokenHash, tokenHash)));
  await touchClient(db, row.userId, row.clientId);
  return { userId: row.userId, clientId: row.clientId, expiresAt, renewed: true };
}
