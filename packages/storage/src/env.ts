import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type EnvSource, parseEnv } from "@parley/protocol";
import { z } from "zod";

const ZStorageEnv = z
  .object({
    /** `local` (files on this machine: development, tests) or `s3` (production). */
    STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
    /** Local driver: the folder objects are written to (default: the checkout's `.parley/storage`). */
    STORAGE_LOCAL_DIR: z.string().min(1).optional(),
    STORAGE_S3_BUCKET: z.string().min(1).optional(),
    /** An S3-compatible endpoint (MinIO, R2, …); unset = AWS for STORAGE_S3_REGION. */
    STORAGE_S3_ENDPOINT: z.url().optional(),
    STORAGE_S3_REGION: z.string().min(1).optional(),
    STORAGE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    STORAGE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Keys go under this prefix in the bucket. */
    STORAGE_S3_PREFIX: z.string().default(""),
    /** `true` for AWS-style `bucket.host` URLs; path-style (`host/bucket`) otherwise. */
    STORAGE_S3_VIRTUAL_HOSTED: z.enum(["true", "false"]).default("false"),
  })
  .superRefine((env, ctx) => {
    if (env.STORAGE_DRIVER !== "s3") return;
    for (const name of [
      "STORAGE_S3_BUCKET",
      "STORAGE_S3_ACCESS_KEY_ID",
      "STORAGE_S3_SECRET_ACCESS_KEY",
    ] as const) {
      if (!env[name])
        ctx.addIssue({ code: "custom", path: [name], message: "required when STORAGE_DRIVER=s3" });
    }
  });

export type StorageEnv = z.infer<typeof ZStorageEnv>;

/** Validated at start-up; a bad variable stops the process with one line naming it. */
export function readStorageEnv(source: EnvSource = process.env): StorageEnv {
  return parseEnv(ZStorageEnv, source, "storage");
}

/**
 * The checkout's `.parley/storage` (where dev-services keeps its data too), found by walking up to
 * the workspace root; the working directory's `.parley/storage` when there is none.
 */
export function defaultLocalStorageDir(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "bun.lock"))) return join(dir, ".parley", "storage");
    const parent = dirname(dir);
    if (parent === dir) return join(resolve(from), ".parley", "storage");
    dir = parent;
  }
}
