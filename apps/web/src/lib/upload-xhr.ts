import { ApiError, type AttachmentUploader, readUploadAnswer } from "@parley/client";
import { ATTACHMENT_UPLOAD_PATH } from "@parley/protocol";

/**
 * Uploads with XMLHttpRequest, the one browser API that reports upload progress. Same origin, the
 * tab's own bearer token (the route takes no cookie for uploads), the raw file as the body.
 */
export function createXhrUploader(accessToken: () => Promise<string | null>): AttachmentUploader {
  return async ({ dialogId, file, onProgress }) => {
    const token = await accessToken();
    if (!token) throw new ApiError("UNAUTHORIZED", "signed out");
    const query = new URLSearchParams({ purpose: "message", scope: dialogId, name: file.name });
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${ATTACHMENT_UPLOAD_PATH}?${query}`);
      xhr.setRequestHeader("authorization", `Bearer ${token}`);
      xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
      xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
      xhr.onerror = () => reject(new ApiError("NETWORK", "the upload was interrupted"));
      xhr.onabort = () => reject(new ApiError("NETWORK", "the upload was cancelled"));
      xhr.send(file.body instanceof Blob ? file.body : new Blob([new Uint8Array(file.body)]));
    });
    return readUploadAnswer(status, body);
  };
}
