"use client";

import {
  ATTACHMENT_MIME_TYPES,
  isImageMime,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_MESSAGE,
  MAX_IMAGE_BYTES,
} from "@parley/protocol";
import { useCallback, useEffect, useState } from "react";
import { formatSize } from "./format-size";

/** Plain text files often arrive with no type (or per-OS guesses); the server sniffs every file anyway. */
const TEXT_EXTENSIONS = /\.(txt|md|log|csv)$/i;

/**
 * Files picked, pasted or dropped for the next message, checked against the server's limits first
 * so the common refusals are explained before anything is uploaded (the server still decides).
 * While a conversation is open, files dragged anywhere over the page are attached to it.
 */
export function useStagedFiles() {
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const add = useCallback((incoming: readonly File[]) => {
    const problems: string[] = [];
    const accepted = incoming.filter((file) => {
      const problem = whyRefused(file);
      if (problem) problems.push(problem);
      return problem === null;
    });
    setFiles((current) => {
      const next = [...current, ...accepted];
      if (next.length > MAX_ATTACHMENTS_PER_MESSAGE) {
        problems.push(`at most ${MAX_ATTACHMENTS_PER_MESSAGE} files in one message`);
        return next.slice(0, MAX_ATTACHMENTS_PER_MESSAGE);
      }
      return next;
    });
    setError(problems.length > 0 ? problems.join("; ") : null);
  }, []);

  const remove = useCallback((index: number) => {
    setFiles((current) => current.filter((_, i) => i !== index));
    setError(null);
  }, []);

  const clear = useCallback(() => {
    setFiles([]);
    setError(null);
  }, []);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") ?? false;
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      add([...(event.dataTransfer?.files ?? [])]);
    };
    document.addEventListener("dragenter", onEnter);
    document.addEventListener("dragleave", onLeave);
    document.addEventListener("dragover", onOver);
    document.addEventListener("drop", onDrop);
    return () => {
      document.removeEventListener("dragenter", onEnter);
      document.removeEventListener("dragleave", onLeave);
      document.removeEventListener("dragover", onOver);
      document.removeEventListener("drop", onDrop);
    };
  }, [add]);

  return { files, error, dragging, add, remove, clear };
}

function whyRefused(file: File): string | null {
  const type = file.type || (TEXT_EXTENSIONS.test(file.name) ? "text/plain" : "");
  if (!(ATTACHMENT_MIME_TYPES as readonly string[]).includes(type)) {
    return `${file.name}: this type of file cannot be sent`;
  }
  const max = isImageMime(type) ? MAX_IMAGE_BYTES : MAX_ATTACHMENT_BYTES;
  if (file.size > max) return `${file.name}: larger than ${formatSize(max)}`;
  if (file.size === 0) return `${file.name}: the file is empty`;
  return null;
}
