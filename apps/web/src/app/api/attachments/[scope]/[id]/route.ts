import { serveAttachmentRequest } from "~/server/attachments";

// Members-only reads: every request is authorised, never cached by Next.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export { serveAttachmentRequest as GET, serveAttachmentRequest as HEAD };
