"use client";

import { useEffect, useRef } from "react";

/** The full-size image over the page; Escape, a click outside or Close returns to the chat. */
export function ImageViewer({ src, name, onClose }: { src: string; name: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="image-viewer"
      aria-label={name}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === dialog.current) onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") onClose();
      }}
    >
      <img src={src} alt={name} />
      <div className="image-viewer-bar">
        <a href={src} download={name}>
          Download
        </a>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
