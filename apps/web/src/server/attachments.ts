import { createAttachmentHandler } from "@parley/attachments/http";
import { createStorage } from "@parley/storage";
import { clientIp } from "./client-ip";
import { withApiSecurityHeaders } from "./security-headers";
import { getApiServices } from "./services";

type AttachmentHandler = ReturnType<typeof createAttachmentHandler>;

/** One handler (and storage client) per server process, kept across `next dev` re-evaluations. */
const globalForAttachments = globalThis as typeof globalThis & {
  parleyAttachments?: Promise<AttachmentHandler>;
};

function getAttachmentHandler(): Promise<AttachmentHandler> {
  globalForAttachments.parleyAttachments ??= getApiServices().then((services) =>
    createAttachmentHandler({
      db: services.db,
      redis: services.redis,
      ids: services.ids,
      storage: createStorage(),
      resolveViewer: (req) => services.resolveViewer(req),
      isClientRevoked: (viewer) => services.isClientRevoked(viewer),
    }),
  );
  return globalForAttachments.parleyAttachments;
}

/**
 * The attachment routes under `next dev` and `next start` alone: the same handler apps/api serves in
 * production (@parley/attachments/http), so both hosts answer alike.
 */
export async function serveAttachmentRequest(request: Request): Promise<Response> {
  const handle = await getAttachmentHandler();
  const answer = await handle(request, clientIp(request.headers));
  return withApiSecurityHeaders(answer ?? new Response("not found", { status: 404 }));
}
