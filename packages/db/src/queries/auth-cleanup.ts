import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { affectedRowsOf, rowsOf } from "./result";

/**
 * The worker's per-shard cleanup of dead auth rows (docs/design.md, "Cleanup"). Each batch is one
 * shard-targeted scan by an indexed timestamp with a LIMIT, then deletes keyed by user_id IN (…),
 * so locks stay short and every delete routes by the shard key. Every delete re-checks its own
 * condition, which makes it idempotent and safe for a second worker or a retried batch.
 */

export type ExpiredTokenRow = { userId: string; tokenHash: string; clientId: string };
export type DeadClientRow = { userId: string; clientId: string };

const list = (values: string[]): SQL =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
const distinct = (values: string[]) => [...new Set(values)];
/** The shard keys of these rows, once each: the IN that routes a delete. */
const userIdsOf = (rows: { userId: string }[]) => list(distinct(rows.map((row) => row.userId)));

/** Token rows (sessions, refresh tokens) whose expiry is before `expiredBefore`, oldest first. */
export async function listExpiredTokenRows(
  db: DbOrTx,
  expiredBefore: Date,
  limit: number,
): Promise<ExpiredTokenRow[]> {
  const rows = rowsOf<{ user_id: unknown; token_hash: unknown; client_id: unknown }>(
    await db.execute(sql`
      SELECT /* vitess:shard-targeted */ user_id, token_hash, client_id
        FROM client_sessions
       WHERE expires_at < ${expiredBefore}
       ORDER BY expires_at
       LIMIT ${limit}`),
  );
  return rows.map((row) => ({
    userId: String(row.user_id),
    tokenHash: String(row.token_hash),
    clientId: String(row.client_id),
  }));
}

/**
 * Deletes these token rows, but only while they are still expired before `expiredBefore` (an
 * expired row never comes back to life: validation and rotation both refuse it, so the re-check is
 * belt and braces). Pairing the user list with the hash list by IN may name a (user, hash) pair
 * that was not listed; such a row is deleted only if it is itself past the same cutoff, so it
 * qualified anyway.
 */
export async function deleteExpiredTokenRows(
  db: DbOrTx,
  rows: ExpiredTokenRow[],
  expiredBefore: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.execute(sql`
    DELETE FROM client_sessions
     WHERE user_id IN (${userIdsOf(rows)})
       AND token_hash IN (${list(rows.map((row) => row.tokenHash))})
       AND expires_at < ${expiredBefore}`);
  return affectedRowsOf(result);
}

/**
 * Deletes the browser-tab clients among `candidates` that hold no token row expiring at or after
 * `expiredBefore`: every refresh token they ever had lapsed before the cutoff, and a lapsed token
 * cannot be rotated, so such a tab can never be used again. Runs before their token rows go, so a
 * crash in between leaves rows that the next batch finds again. Client ids are snowflakes, unique
 * across users, so pairing the two IN lists selects only the listed clients.
 */
export async function deleteLapsedTabClients(
  db: DbOrTx,
  candidates: DeadClientRow[],
  expiredBefore: Date,
): Promise<number> {
  if (candidates.length === 0) return 0;
  const result = await db.execute(sql`
    DELETE FROM user_clients
     WHERE user_id IN (${userIdsOf(candidates)})
       AND client_id IN (${list(distinct(candidates.map((row) => row.clientId)))})
       AND parent_client_id IS NOT NULL
       AND NOT EXISTS (
         SELECT 1 FROM client_sessions s
          WHERE s.user_id = user_clients.user_id AND s.client_id = user_clients.client_id
            AND s.expires_at >= ${expiredBefore})`);
  return affectedRowsOf(result);
}

/**
 * Revoked clients past their retention, oldest revocation first: browser tabs revoked before
 * `tabsRevokedBefore`, and any other client (phone, browser, CLI) revoked before `devicesRevokedBefore`.
 */
export async function listLongRevokedClients(
  db: DbOrTx,
  cutoffs: { tabsRevokedBefore: Date; devicesRevokedBefore: Date },
  limit: number,
): Promise<DeadClientRow[]> {
  const rows = rowsOf<{ user_id: unknown; client_id: unknown }>(
    await db.execute(sql`
      SELECT /* vitess:shard-targeted */ user_id, client_id
        FROM user_clients
       WHERE revoked_at < ${cutoffs.tabsRevokedBefore}
         AND (parent_client_id IS NOT NULL OR revoked_at < ${cutoffs.devicesRevokedBefore})
       ORDER BY revoked_at
       LIMIT ${limit}`),
  );
  return rows.map((row) => ({ userId: String(row.user_id), clientId: String(row.client_id) }));
}

/**
 * Deletes revoked clients and every token row they hold: token rows first, so a crash in between
 * leaves the client row for the next batch to find. Retention is decided by the listing; these
 * statements only refuse to touch a client that is not revoked (a revoke is never undone).
 */
export async function deleteRevokedClients(
  db: DbOrTx,
  clients: DeadClientRow[],
): Promise<{ clients: number; tokens: number }> {
  if (clients.length === 0) return { clients: 0, tokens: 0 };
  const userIds = userIdsOf(clients);
  const clientIds = list(clients.map((row) => row.clientId));
  const tokens = await db.execute(sql`
    DELETE FROM client_sessions
     WHERE user_id IN (${userIds}) AND client_id IN (${clientIds})
       AND EXISTS (
         SELECT 1 FROM user_clients c
          WHERE c.user_id = client_sessions.user_id AND c.client_id = client_sessions.client_id
            AND c.revoked_at IS NOT NULL)`);
  const deleted = await db.execute(sql`
    DELETE FROM user_clients
     WHERE user_id IN (${userIds}) AND client_id IN (${clientIds}) AND revoked_at IS NOT NULL`);
  return { clients: affectedRowsOf(deleted), tokens: affectedRowsOf(tokens) };
}
