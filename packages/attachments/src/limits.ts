import { takeWindowBudgets } from "@parley/auth";
import { MAX_ATTACHMENT_BYTES, MAX_AVATAR_BYTES, MAX_IMAGE_BYTES, ParleyError } from "@parley/protocol";
import type { AttachmentDeps, AttachmentLimits } from "./deps";

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxBytes: MAX_ATTACHMENT_BYTES,
  maxImageBytes: MAX_IMAGE_BYTES,
  maxAvatarBytes: MAX_AVATAR_BYTES,
  uploadsPerWindow: 120,
  bytesPerWindow: 1024 * 1024 * 1024,
  windowMs: 60 * 60 * 1000,
};

export function attachmentLimits(deps: AttachmentDeps): AttachmentLimits {
  return { ...DEFAULT_ATTACHMENT_LIMITS, ...deps.limits };
}

/**
 * Per user (every client together), before a byte is read: a count of uploads and their declared
 * bytes per window, in Redis so every API process shares them. Storage is the costly resource here,
 * so an outage of the limiter refuses uploads (unlike sends, which fail open).
 */
export async function spendUploadBudget(deps: AttachmentDeps, userId: string, bytes: number): Promise<void> {
  const limits = attachmentLimits(deps);
  const count = await takeWindowBudgets(
    deps.redis,
    [{ key: `rl:upload:n:${userId}`, max: limits.uploadsPerWindow }],
    limits.windowMs,
  );
  const size = count.allowed
    ? await takeWindowBudgets(
        deps.redis,
        // KiB, so the counter stays small; at least one per upload.
        [{ key: `rl:upload:kb:${userId}`, max: Math.ceil(limits.bytesPerWindow / 1024) }],
        limits.windowMs,
        Math.max(1, Math.ceil(bytes / 1024)),
      )
    : count;
  if (!size.allowed) {
    throw new ParleyError("TOO_MANY_REQUESTS", "upload budget spent; try again later", {
      retryAfterMs: size.retryAfterMs,
    });
  }
}
