import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { rowsOf, toDate } from "./result";

export type OutboxRow = { dialogId: string; id: string; kind: string; payload: unknown; createdAt: Date };

/**
 * An event committed with a dialog write other than a send (a group's new title): written in the
 * same transaction, deleted once published, republished by the relay if its writer died first.
 */
export async function insertOutboxRow(
  db: DbOrTx,
  row: { dialogId: string; id: string; kind: string; payloadJson: string },
): Promise<void> {
  await db.execute(sql`INSERT INTO outbox (dialog_id, id, kind, payload, created_at)
        VALUES (${row.dialogId}, ${row.id}, ${row.kind}, ${row.payloadJson}, NOW(3))`);
}

export async function deleteOutboxRow(db: DbOrTx, dialogId: string, id: string): Promise<void> {
  await db.execute(sql`DELETE FROM outbox WHERE dialog_id = ${dialogId} AND id = ${id}`);
}

/**
 * Relay scan of one shard: rows older than `olderThanMs` by the database clock (their sender crashed or could not reach
 * NATS). Per-shard by design, hence the shard-targeted marker.
 */
export async function listStaleOutboxRows(
  db: DbOrTx,
  olderThanMs: number,
  limit: number,
): Promise<OutboxRow[]> {
  const rows = rowsOf<{
    dialog_id: unknown;
    id: unknown;
    kind: unknown;
    payload: unknown;
    created_at: unknown;
  }>(
    await db.execute(sql`
      SELECT /* vitess:shard-targeted */ dialog_id, id, kind, payload, created_at
        FROM outbox
       WHERE created_at < NOW(3) - INTERVAL ${olderThanMs * 1000} MICROSECOND
       ORDER BY created_at
       LIMIT ${limit}`),
  );
  return rows.map((row) => ({
    dialogId: String(row.dialog_id),
    id: String(row.id),
    kind: String(row.kind),
    payload: typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload,
    createdAt: toDate(row.created_at),
  }));
}

/**
 * Deletes many published rows in one statement. Each id is a msg_id (a snowflake, unique on its
 * own), so pairing the dialog list with the id list by IN selects exactly these rows, and the IN on
 * dialog_id routes the statement to the owning shards only.
 */
export async function deleteOutboxRows(db: DbOrTx, rows: { dialogId: string; id: string }[]): Promise<void> {
  if (rows.length === 0) return;
  const dialogIds = [...new Set(rows.map((row) => row.dialogId))];
  const ids = rows.map((row) => row.id);
  await db.execute(
    sql`DELETE FROM outbox WHERE dialog_id IN (${sql.join(
      dialogIds.map((dialogId) => sql`${dialogId}`),
      sql`, `,
    )}) AND id IN (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
}
