import { ATTACHMENT_UPLOAD_PATH, type TAttachmentRef, ZUploadedAttachment } from "@parley/protocol";
import { ApiError } from "./api";
import type { AttachmentUploader } from "./attachment-uploads";

/**
 * An uploader over fetch (Bun, Node, React Native): one POST of the raw bytes with the client's
 * bearer token. Progress is reported once the body is sent (fetch has no upload progress; browsers
 * use XMLHttpRequest for that — apps/web).
 */
export function createFetchUploader(options: {
  baseUrl: string;
  accessToken: () => Promise<string> | string;
  fetchImpl?: typeof fetch;
}): AttachmentUploader {
  const doFetch = options.fetchImpl ?? fetch;
  return async ({ dialogId, file, onProgress }) => {
    const query = new URLSearchParams({ purpose: "message", scope: dialogId, name: file.name });
    const answer = await doFetch(`${options.baseUrl}${ATTACHMENT_UPLOAD_PATH}?${query}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await options.accessToken()}`,
        "content-type": file.type || "application/octet-stream",
      },
      body: file.body instanceof Uint8Array ? new Uint8Array(file.body) : file.body,
    }).catch((error: unknown) => {
      throw new ApiError("NETWORK", error instanceof Error ? error.message : "upload failed");
    });
    onProgress(file.size);
    return readUploadAnswer(answer.status, await answer.text());
  };
}

/** The route's answer as a reference, or the ApiError its refusal means (shared with the XHR uploader). */
export function readUploadAnswer(status: number, body: string): TAttachmentRef {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: a proxy's error page; the status alone says what happened.
  }
  if (status === 201) {
    const uploaded = ZUploadedAttachment.parse(parsed);
    const { purpose: _purpose, scopeId: _scope, ...ref } = uploaded;
    return ref;
  }
  const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
    ?.error;
  const code =
    status === 413
      ? "PAYLOAD_TOO_LARGE"
      : status === 415
        ? "UNSUPPORTED_MEDIA_TYPE"
        : (error?.code ?? "NETWORK");
  const message =
    status === 413
      ? "the file is too large"
      : status === 415
        ? "this type of file cannot be sent"
        : (error?.message ?? `upload failed (${status})`);
  throw new ApiError(code, message, error?.details ?? {});
}
