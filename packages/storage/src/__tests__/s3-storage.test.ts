import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createStorage } from "../create";
import { readStorageEnv } from "../env";
import { type S3TestServer, startS3TestServer } from "../testing/s3-server";
import type { ObjectStorage } from "../types";
import { describeStorageContract } from "./storage-contract";

// A real S3-compatible server over HTTP (s3rver in its own process, SigV4 checked), never a mock.
let server: S3TestServer;
let storage: ObjectStorage;

beforeAll(async () => {
  server = await startS3TestServer();
  storage = createStorage(
    readStorageEnv({
      STORAGE_DRIVER: "s3",
      STORAGE_S3_BUCKET: server.bucket,
      STORAGE_S3_ENDPOINT: server.endpoint,
      STORAGE_S3_REGION: "us-east-1",
      STORAGE_S3_ACCESS_KEY_ID: server.accessKeyId,
      STORAGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      STORAGE_S3_PREFIX: "env-a",
    }),
  );
}, 20_000);
afterAll(() => server?.stop());

describe("s3 storage", () => {
  describeStorageContract(() => storage);

  test("a presigned URL reads the object for a short time, with the disposition asked for", async () => {
    await storage.put("t/signed.txt", new TextEncoder().encode("signed"), { contentType: "text/plain" });
    const url = storage.signedUrl?.("t/signed.txt", {
      expiresInSeconds: 60,
      contentDisposition: 'attachment; filename="s.txt"',
    });
    expect(url).toContain("X-Amz-Signature=");
    const answer = await fetch(url ?? "");
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("signed");
    expect(answer.headers.get("content-disposition")).toBe('attachment; filename="s.txt"');
  });

  test("the prefix keeps environments apart in one bucket", async () => {
    await storage.put("t/p.txt", new TextEncoder().encode("p"), { contentType: "text/plain" });
    const other = createStorage(
      readStorageEnv({
        STORAGE_DRIVER: "s3",
        STORAGE_S3_BUCKET: server.bucket,
        STORAGE_S3_ENDPOINT: server.endpoint,
        STORAGE_S3_ACCESS_KEY_ID: server.accessKeyId,
        STORAGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
        STORAGE_S3_PREFIX: "env-b",
      }),
    );
    expect(await other.head("t/p.txt")).toBeNull();
    expect(await storage.head("t/p.txt")).toEqual({
      size: 1,
      contentType: expect.stringContaining("text/plain"),
    });
  });
});
