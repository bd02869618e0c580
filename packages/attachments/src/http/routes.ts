import { ATTACHMENT_PURPOSE, ATTACHMENT_UPLOAD_PATH, ERROR_REASON, ParleyError, ZId } from "@parley/protocol";
import { z } from "zod";
import type { AttachmentActor, AttachmentDeps } from "../deps";
import { contentDisposition } from "../file-name";
import { findReadableAttachment } from "../read";
import { uploadAttachment } from "../upload";
import { baseHeaders, errorResponse, json } from "./respond";

type Viewer = AttachmentActor & { via: "cookie" | "bearer" };

/** What the routes need from the API process: the attachment services plus who is calling. */
export type AttachmentHttpServices = AttachmentDeps & {
  /** Throws (a ParleyError) on a bad bearer token or a cross-site cookie. */
  resolveViewer: (req: { headers: Headers; ip: string | null }) => Promise<Viewer | null>;
  isClientRevoked: (viewer: Viewer) => Promise<boolean>;
};

const ZUploadQuery = z.object({
  purpose: z.enum(ATTACHMENT_PURPOSE).default("message"),
  scope: ZId,
  name: z.string().max(1_000).default("file"),
});

const DOWNLOAD_PATH = new RegExp(`^${ATTACHMENT_UPLOAD_PATH}/(\\d{1,20})/(\\d{1,20})$`);

/**
 * The attachment routes, one function for every host (apps/api's Bun.serve and the Next route
 * handlers in development): `POST /api/attachments?purpose=&scope=&name=` with the raw file as the
 * body, and `GET /api/attachments/<scope>/<id>[?variant=thumb]`. Answers null for other paths.
 */
export function createAttachmentHandler(services: AttachmentHttpServices) {
  return async (req: Request, ip: string | null): Promise<Response | null> => {
    const url = new URL(req.url);
    if (url.pathname === ATTACHMENT_UPLOAD_PATH) {
      if (req.method !== "POST") return json(405, { error: { code: "BAD_REQUEST", message: "POST a file" } });
      return answer(() => upload(services, req, url, ip));
    }
    const match = DOWNLOAD_PATH.exec(url.pathname);
    if (!match) return null;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json(405, { error: { code: "BAD_REQUEST", message: "GET an attachment" } });
    }
    return answer(() => download(services, req, url, ip, match[1] ?? "", match[2] ?? ""));
  };
}

async function answer(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    return errorResponse(error);
  }
}

async function signedIn(services: AttachmentHttpServices, req: Request, ip: string | null): Promise<Viewer> {
  const viewer = await services.resolveViewer({ headers: req.headers, ip });
  if (!viewer)
    throw new ParleyError("UNAUTHORIZED", "sign in first", { reason: ERROR_REASON.SIGN_IN_REQUIRED });
  if (await services.isClientRevoked(viewer)) {
    throw new ParleyError("UNAUTHORIZED", "this client was signed out", {
      reason: ERROR_REASON.CLIENT_SIGNED_OUT,
    });
  }
  return viewer;
}

async function upload(
  services: AttachmentHttpServices,
  req: Request,
  url: URL,
  ip: string | null,
): Promise<Response> {
  const viewer = await signedIn(services, req, ip);
  // Uploads take a bearer token only: with no ambient credential, no other page can make a browser
  // upload on its user's behalf (no CSRF surface to defend).
  if (viewer.via !== "bearer") throw new ParleyError("FORBIDDEN", "uploads need a bearer token");
  const query = ZUploadQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) throw new ParleyError("BAD_REQUEST", "purpose, scope and name are required");
  const length = Number(req.headers.get("content-length") ?? Number.NaN);
  if (!Number.isSafeInteger(length) || length < 0) {
    return json(411, { error: { code: "BAD_REQUEST", message: "Content-Length is required" } });
  }
  if (!req.body || length === 0) throw new ParleyError("BAD_REQUEST", "the file is empty");
  const uploaded = await uploadAttachment(services, viewer, {
    purpose: query.data.purpose,
    scopeId: query.data.purpose === "user_avatar" ? viewer.userId : query.data.scope,
    name: query.data.name,
    declaredType: req.headers.get("content-type"),
    contentLength: length,
    body: req.body,
  });
  return json(201, uploaded);
}

async function download(
  services: AttachmentHttpServices,
  req: Request,
  url: URL,
  ip: string | null,
  scopeId: string,
  attachmentId: string,
): Promise<Response> {
  const viewer = await signedIn(services, req, ip);
  const variant = url.searchParams.get("variant") === "thumb" ? "thumb" : "original";
  const found = await findReadableAttachment(services, viewer, scopeId, attachmentId, variant);
  const headers = baseHeaders();
  // Private (no shared cache keeps it) and revalidated on every use: the browser asks again, and
  // the membership check runs again, before showing a cached copy — a member who left, or the next
  // person signed in on this browser, is not served from cache.
  headers.set("cache-control", "private, no-cache");
  headers.set("vary", "Cookie, Authorization");
  headers.set("etag", found.etag);
  if (req.headers.get("if-none-match") === found.etag) return new Response(null, { status: 304, headers });
  const object = await services.storage.get(found.storageKey);
  if (!object) throw new ParleyError("NOT_FOUND", "attachment not found");
  headers.set("content-type", found.mime);
  headers.set("content-length", String(object.size));
  headers.set("content-disposition", contentDisposition(found.isImage ? "inline" : "attachment", found.name));
  if (req.method === "HEAD") {
    await object.body.cancel().catch(() => undefined);
    return new Response(null, { status: 200, headers });
  }
  return new Response(object.body, { status: 200, headers });
}
