import { S3Client } from "bun";
import { limitedChunks } from "./limit-stream";
import {
  assertValidKey,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStorage,
  type PutOptions,
} from "./types";

export type S3StorageOptions = {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Keys go under this prefix (one bucket may hold several environments). */
  prefix?: string;
  /** Path-style URLs (`endpoint/bucket/key`): what S3-compatible servers on one host expect. */
  virtualHostedStyle?: boolean;
};

/** Multipart part size for streamed bodies (S3's minimum is 5 MiB). */
const PART_SIZE = 5 * 1024 * 1024;

/**
 * Objects in an S3 bucket through Bun's built-in client (no SDK). A streamed body goes up as a
 * multipart upload; one that passes its limit is finished and deleted at once, so no key holds it.
 */
export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  const client = new S3Client({
    bucket: options.bucket,
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    virtualHostedStyle: options.virtualHostedStyle ?? false,
  });
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, "")}/` : "";
  const keyOf = (key: string) => {
    assertValidKey(key);
    return `${prefix}${key}`;
  };

  async function put(key: string, body: ObjectBody, put: PutOptions): Promise<ObjectInfo> {
    const path = keyOf(key);
    if (body instanceof Uint8Array) {
      for await (const _ of limitedChunks(body, put.maxBytes));
      await client.write(path, body, { type: put.contentType });
      return { size: body.byteLength, contentType: put.contentType };
    }
    const writer = client.file(path).writer({ type: put.contentType, partSize: PART_SIZE });
    let size = 0;
    try {
      for await (const chunk of limitedChunks(body, put.maxBytes)) {
        size += chunk.byteLength;
        await writer.write(chunk);
      }
      await writer.end();
      return { size, contentType: put.contentType };
    } catch (error) {
      // Bun's writer has no abort: finish what was sent and delete it, so the key holds nothing.
      await Promise.resolve(writer.end()).catch(() => undefined);
      await client.delete(path).catch(() => undefined);
      throw error;
    }
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    try {
      const stat = await client.stat(keyOf(key));
      return { size: stat.size, contentType: stat.type };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  return {
    driver: "s3",
    put,
    head,
    async get(key) {
      const info = await head(key);
      if (!info) return null;
      return { ...info, body: client.file(keyOf(key)).stream() };
    },
    async delete(key) {
      await client.delete(keyOf(key));
    },
    signedUrl(key, signed) {
      return client.presign(keyOf(key), {
        expiresIn: signed.expiresInSeconds,
        method: "GET",
        ...(signed.contentType ? { type: signed.contentType } : {}),
        ...(signed.contentDisposition ? { contentDisposition: signed.contentDisposition } : {}),
      });
    },
  };
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "NoSuchKey" || code === "ERR_S3_FILE_NOT_FOUND" || code === "NotFound";
}
