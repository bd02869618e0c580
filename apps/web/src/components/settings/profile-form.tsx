"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "~/lib/errors";
import { uploadAvatar } from "~/lib/upload-avatar";
import { useProfiles } from "~/lib/use-profiles";
import { useViewer } from "~/sync/sync-provider";
import { useTRPC } from "~/trpc/react";
import { AvatarEditor } from "./avatar-editor";

/**
 * The viewer's display name and picture. The server checks it with the sign-up rules (no invisible, control or
 * bidi characters) and tells every client of everyone who shares a dialog with the viewer.
 */
export function ProfileForm() {
  const trpc = useTRPC();
  const id = useId();
  const viewer = useViewer();
  const queryClient = useQueryClient();
  const profile = useProfiles([viewer.id]).get(viewer.id);
  const current = profile?.displayName ?? viewer.displayName;
  const [name, setName] = useState<string | null>(null);
  const [status, setStatus] = useState<{ error: string | null; saved: boolean }>({
    error: null,
    saved: false,
  });
  const update = useMutation(trpc.user.updateProfile.mutationOptions());

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (name === null || name.trim() === current) return;
    setStatus({ error: null, saved: false });
    try {
      await update.mutateAsync({ displayName: name });
      setName(null);
      setStatus({ error: null, saved: true });
      await queryClient.invalidateQueries({ queryKey: trpc.user.byIds.queryKey() });
    } catch (caught) {
      setStatus({ error: errorMessage(caught), saved: false });
    }
  }

  return (
    <form className="settings-card" onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Your name and picture</h2>
      <AvatarEditor
        name={current}
        url={profile?.avatarUrl ?? null}
        upload={(file) => uploadAvatar("user_avatar", viewer.id, file)}
        save={async (avatarAttachmentId) => {
          await update.mutateAsync({ avatarAttachmentId });
          await queryClient.invalidateQueries({ queryKey: trpc.user.byIds.queryKey() });
        }}
      />
      <p className="muted">
        Shown to everyone you share a conversation with. Your handle @{viewer.handle} stays.
      </p>
      <label htmlFor={id}>Display name</label>
      <div className="input-row">
        <input
          id={id}
          name="displayName"
          value={name ?? current}
          maxLength={64}
          onChange={(event) => {
            setName(event.target.value);
            setStatus({ error: null, saved: false });
          }}
          autoComplete="name"
        />
        <button
          type="submit"
          className="button primary small"
          disabled={update.isPending || name === null || name.trim() === "" || name.trim() === current}
        >
          Save
        </button>
      </div>
      {status.error ? (
        <p className="form-error" role="alert">
          {status.error}
        </p>
      ) : null}
      {status.saved ? (
        <p className="muted" role="status">
          Saved.
        </p>
      ) : null}
    </form>
  );
}
