export { createStorage } from "./create";
export { defaultLocalStorageDir, readStorageEnv, type StorageEnv } from "./env";
export { limitedChunks } from "./limit-stream";
export { createLocalStorage } from "./local";
export { createS3Storage, type S3StorageOptions } from "./s3";
export {
  assertValidKey,
  isStorageLimitError,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStorage,
  type PutOptions,
  type SignedUrlOptions,
  StorageLimitError,
} from "./types";
