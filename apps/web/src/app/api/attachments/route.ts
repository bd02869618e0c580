import { serveAttachmentRequest } from "~/server/attachments";

// Uploads stream to storage: never static, always Node (Bun), no body parsing by Next.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export { serveAttachmentRequest as POST };
