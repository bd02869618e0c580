import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { affectedRowsOf, rowsOf, toNumber } from "./result";

export type Lease = { name: string; holder: string; fence: number; expiresAt: Date };

/**
 * Takes the lease when it is free, expired, or already ours. A change of holder increments `fence`,
 * so a former holder whose lease lapsed can tell it was superseded. Uses the database clock only,
 * so hosts with skewed clocks still agree on expiry.
 */
export async function acquireLease(
  db: DbOrTx,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | null> {
  await db.execute(sql`
    INSERT INTO leases (name, holder, fence, expires_at)
    VALUES (${name}, ${holder}, 1, NOW(3) + INTERVAL ${ttlMs * 1000} MICROSECOND)
    ON DUPLICATE KEY UPDATE
      -- assignments run left to right: fence and holder read the old row, expires_at the new holder
      fence = IF(expires_at <= NOW(3), fence + 1, fence),
      holder = IF(expires_at <= NOW(3) OR holder = VALUES(holder), VALUES(holder), holder),
      expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`);
  const lease = await getLease(db, name);
  return lease && lease.holder === holder ? lease : null;
}

/** Extends the lease only if we still hold it with the same fence and it has not lapsed. */
export async function renewLease(
  db: DbOrTx,
  name: string,
  holder: string,
  fence: number,
  ttlMs: number,
): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE leases SET expires_at = NOW(3) + INTERVAL ${ttlMs * 1000} MICROSECOND
     WHERE name = ${name} AND holder = ${holder} AND fence = ${fence} AND expires_at > NOW(3)`);
  return affectedRowsOf(result) === 1;
}

/** Lets a standby take over at once on clean shutdown. */
export async function releaseLease(db: DbOrTx, name: string, holder: string, fence: number): Promise<void> {
  await db.execute(sql`
    UPDATE leases SET expires_at = NOW(3) WHERE name = ${name} AND holder = ${holder} AND fence = ${fence}`);
}

export async function getLease(db: DbOrTx, name: string): Promise<Lease | null> {
  const rows = rowsOf<{ name: unknown; holder: unknown; fence: unknown; expires_at: unknown }>(
    await db.execute(sql`SELECT name, holder, fence, expires_at FROM leases WHERE name = ${name}`),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    name: String(row.name),
    holder: String(row.holder),
    fence: toNumber(row.fence),
    expiresAt: row.expires_at instanceof Date ? row.expires_at : new Date(String(row.expires_at)),
  };
}
