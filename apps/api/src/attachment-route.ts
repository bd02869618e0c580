import type { ApiServices } from "@parley/api";
import { createAttachmentHandler } from "@parley/attachments/http";
import { MAX_ATTACHMENT_BYTES } from "@parley/protocol";
import { createStorage, type ObjectStorage } from "@parley/storage";

/** Bun.serve's body cap: the largest upload plus room for nothing else (uploads are raw bytes). */
export const MAX_UPLOAD_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024;

/**
 * The attachment routes over this process's services and the object storage its environment names
 * (STORAGE_DRIVER …; a bad variable stops the process at start-up like every other).
 */
export function createAttachmentRoute(services: ApiServices, storage: ObjectStorage = createStorage()) {
  return createAttachmentHandler({
    db: services.db,
    redis: services.redis,
    ids: services.ids,
    storage,
    resolveViewer: (req) => services.resolveViewer(req),
    isClientRevoked: (viewer) => services.isClientRevoked(viewer),
  });
}
