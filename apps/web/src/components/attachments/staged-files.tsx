"use client";

import { formatSize } from "./format-size";

/** The files that go with the next message, each removable before sending. */
export function StagedFiles({
  files,
  error,
  onRemove,
}: {
  files: File[];
  error: string | null;
  onRemove: (index: number) => void;
}) {
  if (files.length === 0 && !error) return null;
  return (
    <div className="staged-files" aria-live="polite">
      {files.map((file, index) => (
        <span key={`${file.name}:${file.size}:${file.lastModified}:${index}`} className="staged-file">
          <span className="staged-file-name">{file.name}</span>
          <span className="attachment-file-size">{formatSize(file.size)}</span>
          <button type="button" onClick={() => onRemove(index)} aria-label={`Remove ${file.name}`}>
            ×
          </button>
        </span>
      ))}
      {error ? (
        <p className="staged-files-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
