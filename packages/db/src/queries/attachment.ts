import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { attachments } from "../schema/attachment";
import { affectedRowsOf, rowsOf } from "./result";

export type AttachmentRow = typeof attachments.$inferSelect;
export type AttachmentPurpose = AttachmentRow["purpose"];

/** The row of an upload that has started: bytes follow, then `markAttachmentUploaded`. */
export async function insertAttachment(
  db: DbOrTx,
  row: Pick<AttachmentRow, "scopeId" | "id" | "purpose" | "ownerId" | "name" | "mime"> & { now: Date },
): Promise<void> {
  const { now, ...fields } = row;
  await db.insert(attachments).values({ ...fields, state: "uploading", createdAt: now, updatedAt: now });
}

/** Every byte is stored: what the server measured becomes the row's truth. */
export async function markAttachmentUploaded(
  db: DbOrTx,
  key: { scopeId: string; id: string },
  measured: { size: number; width: number | null; height: number | null; hasThumb: boolean },
): Promise<void> {
  await db
    .update(attachments)
    .set({ ...measured, state: "uploaded", updatedAt: new Date() })
    .where(and(eq(attachments.scopeId, key.scopeId), eq(attachments.id, key.id)));
}

export async function deleteAttachmentRow(db: DbOrTx, key: { scopeId: string; id: string }): Promise<void> {
  await db.delete(attachments).where(and(eq(attachments.scopeId, key.scopeId), eq(attachments.id, key.id)));
}

export async function getAttachment(db: DbOrTx, scopeId: string, id: string): Promise<AttachmentRow | null> {
  const rows = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.scopeId, scopeId), eq(attachments.id, id)))
    .limit(1);
  return rows[0] ?? null;
}

/** The rows of `ids` in one scope (one shard: a primary-key IN). Missing ids are simply absent. */
export async function getAttachments(
  db: DbOrTx,
  scopeId: string,
  ids: readonly string[],
): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(attachments)
    .where(and(eq(attachments.scopeId, scopeId), inArray(attachments.id, [...ids])));
}

export type StaleUpload = { scopeId: string; id: string; hasThumb: boolean };

/**
 * Uploads a crash left `uploading` before `startedBefore`, oldest first: one shard-targeted range
 * read of (state, created_at) — the worker runs it once per shard, like the auth cleanup.
 */
export async function listStaleUploads(
  db: DbOrTx,
  startedBefore: Date,
  limit: number,
): Promise<StaleUpload[]> {
  const rows = rowsOf<{ scope_id: unknown; id: unknown; has_thumb: unknown }>(
    await db.execute(sql`
      SELECT /* vitess:shard-targeted */ scope_id, id, has_thumb
        FROM attachments
       WHERE state = 'uploading' AND created_at < ${startedBefore}
       ORDER BY created_at
       LIMIT ${limit}`),
  );
  return rows.map((row) => ({
    scopeId: String(row.scope_id),
    id: String(row.id),
    hasThumb: Boolean(Number(row.has_thumb)),
  }));
}

/** Deletes the row only if it is still unfinished (an upload that completed meanwhile stays). */
export async function deleteStaleUpload(db: DbOrTx, key: { scopeId: string; id: string }): Promise<boolean> {
  const result = await db
    .delete(attachments)
    .where(
      and(
        eq(attachments.scopeId, key.scopeId),
        eq(attachments.id, key.id),
        eq(attachments.state, "uploading"),
      ),
    );
  return affectedRowsOf(result) > 0;
}
