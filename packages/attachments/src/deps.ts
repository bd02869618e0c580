import type { Db } from "@parley/db";
import type { ObjectStorage } from "@parley/storage";
import type Redis from "ioredis";

export type AttachmentLimits = {
  /** Largest file of any kind (bytes). */
  maxBytes: number;
  /** Largest image: images are decoded in memory for their size and preview. */
  maxImageBytes: number;
  /** Largest avatar. */
  maxAvatarBytes: number;
  /** Uploads one user may start per window, over all of its clients. */
  uploadsPerWindow: number;
  /** Bytes one user may upload per window (counted by Content-Length before reading). */
  bytesPerWindow: number;
  windowMs: number;
};

/** What the attachment services use: the API process's pool, Redis, ids, and the object store. */
export type AttachmentDeps = {
  db: Db;
  redis: Redis;
  ids: { nextId: () => string };
  storage: ObjectStorage;
  limits?: Partial<AttachmentLimits>;
};

export type AttachmentActor = { userId: string; clientId: string };
