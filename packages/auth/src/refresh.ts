import { schema } from "@parley/db";
import { ERROR_REASON } from "@parley/protocol";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { readClient, touchClient } from "./clients";
import type { AuthDeps } from "./deps";
import { affectedRows } from "./deps";
import { AuthError } from "./errors";
import {
  deriveSuccessorToken,
  generateOpaqueToken,
  hashesEqual,
  hashToken,
  parseOpaqueToken,
} from "./tokens";

const { clientSessions } = schema;

export type RefreshConfig = {
  secret: string;
  ttlSeconds: number;
  /** A browser tab's refresh life (short, renewed on every rotation like any other). */
  tabTtlSeconds: number;
  graceSeconds: number;
  /** Revokes a client (the service's version also updates this process's revocation cache). */
  revokeClient: (userId: string, clientId: string) => Promise<unknown>;
};
export type RotatedRefresh = { userId: string; clientId: string; refreshToken: string };

/** Starts a refresh family for a new token client. Only the hash is stored. */
export async function issueRefreshToken(
  db: AuthDeps["db"],
  userId: string,
  clientId: string,
  ttlSeconds: number,
): Promise<string> {
  const token = generateOpaqueToken(userId);
  const now = new Date();
  await db.insert(clientSessions).values({
    userId,
    tokenHash: hashToken(token),
    clientId,
    kind: "refresh",
    familyId: clientId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  });
  return token;
}

/** Idempotent: the winner and every in-grace loser may all write the (same) successor row. */
async function storeSuccessor(
  db: AuthDeps["db"],
  row: { userId: string; clientId: string; familyId: string },
  successor: string,
  ttlSeconds: number,
): Promise<void> {
  const now = new Date();
  await db
    .insert(clientSessions)
    .ignore()
    .values({
      userId: row.userId,
      tokenHash: hashToken(successor),
      clientId: row.clientId,
      kind: "refresh",
      familyId: row.familyId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    });
}

/**
 * Rotates a refresh token. The conditional UPDATE (`rotated_at IS NULL`) lets exactly one request
 * win; a loser inside the grace gets the same successor (derived by HMAC, never stored in clear), so
 * lost responses and concurrent refreshes on phones are harmless. A spent token after the grace is
 * treated as stolen: its family and its client are revoked.
 */
export async function rotateRefreshToken(
  deps: AuthDeps,
  config: RefreshConfig,
  presented: string,
): Promise<RotatedRefresh> {
  const parsed = parseOpaqueToken(presented);
  if (!parsed)
    throw new AuthError("UNAUTHORIZED", "invalid refresh token", {
      reason: ERROR_REASON.REFRESH_TOKEN_INVALID,
    });
  const tokenHash = hashToken(parsed.token);
  const successor = deriveSuccessorToken(config.secret, parsed);
  const successorHash = hashToken(successor);
  const now = new Date();
  const key = and(eq(clientSessions.userId, parsed.userId), eq(clientSessions.tokenHash, tokenHash));

  const updated = await deps.db
    .update(clientSessions)
    .set({ rotatedAt: now, successorHash })
    .where(
      and(
        key,
        eq(clientSessions.kind, "refresh"),
        isNull(clientSessions.rotatedAt),
        isNull(clientSessions.revokedAt),
        gt(clientSessions.expiresAt, now),
      ),
    );
  const rows = await deps.db.select().from(clientSessions).where(key).limit(1);
  const row = rows[0];
  if (row?.kind !== "refresh" || !hashesEqual(row.tokenHash, tokenHash)) {
    throw new AuthError("UNAUTHORIZED", "unknown refresh token", {
      reason: ERROR_REASON.REFRESH_TOKEN_UNKNOWN,
    });
  }

  // A tab's family keeps its short life: the successor of a tab's token lives tabTtlSeconds.
  const successorTtl = async () => {
    const client = await readClient(deps.db, row.userId, row.clientId);
    return client?.parentClientId ? config.tabTtlSeconds : config.ttlSeconds;
  };
  if (affectedRows(updated) === 1) {
    await storeSuccessor(deps.db, row, successor, await successorTtl());
    await touchClient(deps.db, row.userId, row.clientId);
    return { userId: row.userId, clientId: row.clientId, refreshToken: successor };
  }
  if (row.revokedAt) {
    throw new AuthError("UNAUTHORIZED", "refresh token revoked: sign in again", {
      reason: ERROR_REASON.REFRESH_TOKEN_REVOKED,
    });
  }
  if (!row.rotatedAt) {
    throw new AuthError("UNAUTHORIZED", "refresh token expired: sign in again", {
      reason: ERROR_REASON.REFRESH_TOKEN_EXPIRED,
    });
  }

  const sinceRotation = now.getTime() - row.rotatedAt.getTime();
  const sameSuccessor = row.successorHash !== null && hashesEqual(row.successorHash, successorHash);
  if (sinceRotation <= config.graceSeconds * 1000 && sameSuccessor) {
    await storeSuccessor(deps.db, row, successor, await successorTtl());
    return { userId: row.userId, clientId: row.clientId, refreshToken: successor };
  }

  // Reuse after the grace: someone holds a copy of a spent token. Kill the family and the client.
  await deps.db
    .update(clientSessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(clientSessions.userId, row.userId),
        eq(clientSessions.familyId, row.familyId),
        isNull(clientSessions.revokedAt),
      ),
    );
  await config.revokeClient(row.userId, row.clientId);
  throw new AuthError("UNAUTHORIZED", "refresh token already used: this client was signed out", {
    reason: ERROR_REASON.REFRESH_TOKEN_REUSED,
  });
}

/**
 * A closing tab's last word (best effort, sent as a beacon on `pagehide`): its current refresh token
 * now expires within `lingerSeconds` instead of hours. A reload of the same tab sends the same beacon
 * (the page cannot tell a reload from a close), then refreshes at once on load, which rotates the
 * token into a successor with the full life again; a closed tab's token simply lapses, and with it
 * the tab leaves the devices list. Never lengthens a life, never touches a rotated or revoked token.
 * Only tab clients; anything else (unknown, spent, not a tab) is silently ignored.
 */
export async function lingerRefreshToken(
  db: AuthDeps["db"],
  presented: string,
  lingerSeconds: number,
): Promise<boolean> {
  const parsed = parseOpaqueToken(presented);
  if (!parsed) return false;
  const tokenHash = hashToken(parsed.token);
  const key = and(eq(clientSessions.userId, parsed.userId), eq(clientSessions.tokenHash, tokenHash));
  const rows = await db
    .select({ clientId: clientSessions.clientId, tokenHash: clientSessions.tokenHash })
    .from(clientSessions)
    .where(and(key, eq(clientSessions.kind, "refresh")))
    .limit(1);
  const row = rows[0];
  if (!row || !hashesEqual(row.tokenHash, tokenHash)) return false;
  const client = await readClient(db, parsed.userId, row.clientId);
  if (!client?.parentClientId) return false;
  const now = new Date();
  const until = new Date(now.getTime() + lingerSeconds * 1000);
  const updated = await db
    .update(clientSessions)
    .set({ expiresAt: sql`LEAST(${clientSessions.expiresAt}, ${until})` })
    .where(
      and(
        key,
        eq(clientSessions.kind, "refresh"),
        isNull(clientSessions.rotatedAt),
        isNull(clientSessions.revokedAt),
        gt(clientSessions.expiresAt, now),
      ),
    );
  return affectedRows(updated) === 1;
}
