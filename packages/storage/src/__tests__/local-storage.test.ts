import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStorage } from "../create";
import { defaultLocalStorageDir, readStorageEnv } from "../env";
import { createLocalStorage } from "../local";
import { describeStorageContract } from "./storage-contract";

const root = mkdtempSync(join(tmpdir(), "parley-storage-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("local storage", () => {
  describeStorageContract(() => createLocalStorage(root));

  test("a refused upload leaves no temporary file behind", async () => {
    const store = createLocalStorage(root);
    await store
      .put("cut/x.bin", new Uint8Array(100), { contentType: "x/y", maxBytes: 10 })
      .catch(() => undefined);
    expect(readdirSync(join(root, "cut"))).toEqual([]);
  });
});

describe("storage env", () => {
  test("local is the default, under the checkout's .parley/storage", () => {
    const env = readStorageEnv({});
    expect(env.STORAGE_DRIVER).toBe("local");
    expect(createStorage(env).driver).toBe("local");
    expect(defaultLocalStorageDir(import.meta.dir)).toMatch(/\/\.parley\/storage$/);
    expect(defaultLocalStorageDir(import.meta.dir)).not.toContain("packages/storage");
  });

  test("s3 without its bucket or keys stops with the variable's name", () => {
    expect(() => readStorageEnv({ STORAGE_DRIVER: "s3" })).toThrow("STORAGE_S3_BUCKET");
    expect(() => readStorageEnv({ STORAGE_DRIVER: "s3", STORAGE_S3_BUCKET: "b" })).toThrow(
      "STORAGE_S3_ACCESS_KEY_ID",
    );
    expect(() => readStorageEnv({ STORAGE_DRIVER: "disk" })).toThrow("STORAGE_DRIVER");
  });
});
