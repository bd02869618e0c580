import { defaultLocalStorageDir, readStorageEnv, type StorageEnv } from "./env";
import { createLocalStorage } from "./local";
import { createS3Storage } from "./s3";
import type { ObjectStorage } from "./types";

/** The storage a process's environment asks for (see README, "Environment"). */
export function createStorage(env: StorageEnv = readStorageEnv()): ObjectStorage {
  if (env.STORAGE_DRIVER === "local")
    return createLocalStorage(env.STORAGE_LOCAL_DIR ?? defaultLocalStorageDir());
  return createS3Storage({
    bucket: env.STORAGE_S3_BUCKET ?? "",
    accessKeyId: env.STORAGE_S3_ACCESS_KEY_ID ?? "",
    secretAccessKey: env.STORAGE_S3_SECRET_ACCESS_KEY ?? "",
    prefix: env.STORAGE_S3_PREFIX,
    virtualHostedStyle: env.STORAGE_S3_VIRTUAL_HOSTED === "true",
    ...(env.STORAGE_S3_ENDPOINT ? { endpoint: env.STORAGE_S3_ENDPOINT } : {}),
    ...(env.STORAGE_S3_REGION ? { region: env.STORAGE_S3_REGION } : {}),
  });
}
