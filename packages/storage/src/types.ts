/** What a stored object is, as far as the storage layer knows. */
export type ObjectInfo = { size: number; contentType: string };

/** A body to store: bytes in memory, or a stream (uploads are streamed, never buffered whole). */
export type ObjectBody = Uint8Array | ReadableStream<Uint8Array>;

export type PutOptions = {
  contentType: string;
  /**
   * The most bytes this object may have. A stream that passes it is cut, nothing is kept under the
   * key, and `put` rejects with a `StorageLimitError` (the caller answers 413).
   */
  maxBytes?: number;
};

export type SignedUrlOptions = {
  expiresInSeconds: number;
  /** Sent back by the store as the response's Content-Disposition (S3 honours it on presigned GETs). */
  contentDisposition?: string;
  contentType?: string;
};

/**
 * Where attachment bytes live. Keys are opaque paths chosen by the server (`[a-z0-9/._-]`, never a
 * user's file name). Backends: local disk (development) and S3 (production). Authorisation is not
 * here: whoever calls `get` or mints a signed URL has already checked the reader.
 */
export type ObjectStorage = {
  readonly driver: "local" | "s3";
  put: (key: string, body: ObjectBody, options: PutOptions) => Promise<ObjectInfo>;
  /** The object's bytes as a stream, or null when there is no such key. */
  get: (key: string) => Promise<({ body: ReadableStream<Uint8Array> } & ObjectInfo) | null>;
  head: (key: string) => Promise<ObjectInfo | null>;
  /** Deleting a missing key is not an error (deletes are retried by cleanup). */
  delete: (key: string) => Promise<void>;
  /**
   * A short-lived URL that reads the object without our server in the path. Only backends that can
   * sign (S3) have it; callers fall back to streaming through `get`.
   */
  signedUrl?: (key: string, options: SignedUrlOptions) => string;
};

/** A body was larger than `PutOptions.maxBytes`. Recognised by `code` (a package may load twice). */
export class StorageLimitError extends Error {
  readonly code = "STORAGE_LIMIT";
  constructor(readonly maxBytes: number) {
    super(`object larger than ${maxBytes} bytes`);
  }
}

export function isStorageLimitError(error: unknown): error is StorageLimitError {
  return (
    typeof error === "object" && error !== null && (error as { code?: unknown }).code === "STORAGE_LIMIT"
  );
}

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Keys are built by the server; a key that could climb out of its folder is a bug, refused loudly. */
export function assertValidKey(key: string): void {
  if (
    key.length > 512 ||
    !KEY_PATTERN.test(key) ||
    key.split("/").some((part) => part === "." || part === "..")
  ) {
    throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  }
}
