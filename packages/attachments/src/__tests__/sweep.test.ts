import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAttachment, insertAttachment, markAttachmentUploaded } from "@parley/db/queries";
import { createLocalStorage } from "@parley/storage";
import { createTestDatabase, type TestDatabase } from "@parley/testkit";
import { attachmentStorageKey } from "../keys";
import { sweepStaleUploads } from "../sweep";

let testDb: TestDatabase;
let dir: string;
const storage = () => createLocalStorage(dir);

beforeAll(async () => {
  testDb = await createTestDatabase("att_sweep");
  dir = mkdtempSync(join(tmpdir(), "parley-sweep-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await testDb?.drop();
});

async function upload(scopeId: string, id: string, startedAt: Date, finished: boolean) {
  await insertAttachment(testDb.db, {
    scopeId,
    id,
    purpose: "message",
    ownerId: "7",
    name: "a.png",
    mime: "image/png",
    now: startedAt,
  });
  const bytes = new Uint8Array([1, 2, 3]);
  await storage().put(attachmentStorageKey(scopeId, id), bytes, { contentType: "image/png" });
  await storage().put(attachmentStorageKey(scopeId, id, "thumb"), bytes, { contentType: "image/webp" });
  if (finished)
    await markAttachmentUploaded(
      testDb.db,
      { scopeId, id },
      { size: 3, width: 1, height: 1, hasThumb: true },
    );
}

describe("sweepStaleUploads", () => {
  test("removes uploads a crash left unfinished (bytes and row); finished and recent ones stay", async () => {
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await upload("100", "1", hourAgo, false);
    await upload("100", "2", hourAgo, true);
    await upload("200", "3", new Date(), false);
    const result = await sweepStaleUploads({ db: testDb.db, storage: storage() }, { batchSize: 1 });
    expect(result.removed).toBe(1);
    expect(await getAttachment(testDb.db, "100", "1")).toBeNull();
    expect(await storage().head(attachmentStorageKey("100", "1"))).toBeNull();
    expect(await storage().head(attachmentStorageKey("100", "1", "thumb"))).toBeNull();
    expect((await getAttachment(testDb.db, "100", "2"))?.state).toBe("uploaded");
    expect(await storage().head(attachmentStorageKey("100", "2"))).not.toBeNull();
    expect((await getAttachment(testDb.db, "200", "3"))?.state).toBe("uploading");
    // A second run finds nothing more to do.
    expect((await sweepStaleUploads({ db: testDb.db, storage: storage() })).removed).toBe(0);
  });

  test("stops before a batch once the lease is in doubt", async () => {
    await upload("300", "4", new Date(Date.now() - 3 * 60 * 60 * 1000), false);
    const result = await sweepStaleUploads(
      { db: testDb.db, storage: storage() },
      { shouldContinue: () => false },
    );
    expect(result.removed).toBe(0);
    expect(await getAttachment(testDb.db, "300", "4")).not.toBeNull();
  });
});
