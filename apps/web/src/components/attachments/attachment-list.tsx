"use client";

import { useState } from "react";
import type { AttachmentView } from "~/sync/types";
import { formatSize } from "./format-size";
import { ImageViewer } from "./image-viewer";
import { PaperclipIcon } from "./paperclip-icon";
import "./attachments.css";

/** Longest side of an image in the timeline; the space is reserved from the server's width/height. */
const MAX_PREVIEW_SIDE = 320;

/**
 * A message's files: images as previews that keep their space while loading (click opens the full
 * size), other files as chips with name and size that download. While the sender's upload runs, a
 * progress bar shows under them.
 */
export function AttachmentList({
  attachments,
  upload,
}: {
  attachments: AttachmentView[];
  upload?: { loaded: number; total: number } | undefined;
}) {
  const [open, setOpen] = useState<AttachmentView | null>(null);
  const images = attachments.filter((a) => a.isImage);
  const files = attachments.filter((a) => !a.isImage);
  return (
    <div className="attachments">
      {images.length > 0 ? (
        <div className={`attachment-images${images.length > 1 ? " several" : ""}`}>
          {images.map((image) => (
            <button
              key={image.key}
              type="button"
              className="attachment-image"
              style={reservedSize(image)}
              onClick={() => image.url && setOpen(image)}
              disabled={!image.url}
              aria-label={`Open ${image.name}`}
            >
              {(image.previewUrl ?? image.url) ? (
                <img
                  src={image.previewUrl ?? image.url ?? ""}
                  alt={image.name}
                  loading="lazy"
                  decoding="async"
                />
              ) : (
                <span className="attachment-image-placeholder">{image.name}</span>
              )}
            </button>
          ))}
        </div>
      ) : null}
      {files.map((file) => (
        <a
          key={file.key}
          className="attachment-file"
          {...(file.url ? { href: file.url, download: file.name } : { "aria-disabled": true })}
        >
          <span className="attachment-file-icon">
            <PaperclipIcon />
          </span>
          <span className="attachment-file-name">{file.name}</span>
          <span className="attachment-file-size">{formatSize(file.size)}</span>
        </a>
      ))}
      {upload ? <UploadBar loaded={upload.loaded} total={upload.total} /> : null}
      {open?.url ? <ImageViewer src={open.url} name={open.name} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}

function UploadBar({ loaded, total }: { loaded: number; total: number }) {
  const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
  return (
    <div className="attachment-upload">
      <progress max={100} value={percent} aria-label="Upload progress">
        {percent}%
      </progress>
      <span className="attachment-upload-text">
        Uploading… {formatSize(loaded)} of {formatSize(total)}
      </span>
    </div>
  );
}

/** The preview's box before the image arrives: no jump in the timeline when it loads. */
function reservedSize(image: AttachmentView): { width?: number; aspectRatio?: string } {
  if (!image.width || !image.height) return {};
  const scale = Math.min(1, MAX_PREVIEW_SIDE / Math.max(image.width, image.height));
  return { width: Math.round(image.width * scale), aspectRatio: `${image.width} / ${image.height}` };
}
