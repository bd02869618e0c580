"use client";

import { type ChangeEvent, useId, useState } from "react";
import { Avatar } from "~/components/chat/avatar";
import { errorMessage } from "~/lib/errors";

/**
 * Choose, replace or remove an avatar: the image is uploaded first (the server checks its type and
 * size and makes a preview), then `save` points the profile or group at it.
 */
export function AvatarEditor({
  name,
  url,
  group = false,
  upload,
  save,
}: {
  name: string;
  url: string | null;
  group?: boolean;
  upload: (file: File) => Promise<string>;
  save: (attachmentId: string | null) => Promise<void>;
}) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (file) void run(async () => save(await upload(file)));
  }

  return (
    <div className="avatar-editor">
      <Avatar name={name} url={url} group={group} />
      <label htmlFor={id} className={`button ghost small${busy ? " disabled" : ""}`}>
        {url ? "Change picture" : "Add a picture"}
      </label>
      <input
        id={id}
        type="file"
        accept="image/jpeg,image/png,image/gif,image/webp"
        className="visually-hidden"
        disabled={busy}
        onChange={onFile}
        data-testid="avatar-file"
      />
      {url ? (
        <button
          type="button"
          className="button ghost small"
          disabled={busy}
          onClick={() => void run(() => save(null))}
        >
          Remove
        </button>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
