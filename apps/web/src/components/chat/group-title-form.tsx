"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { AvatarEditor } from "~/components/settings/avatar-editor";
import { errorMessage } from "~/lib/errors";
import { uploadAvatar } from "~/lib/upload-avatar";
import { useTRPC } from "~/trpc/react";

/**
 * Renames a group and sets its picture (owner and admins; the server checks the role again, and the
 * title with the same rules as at creation). Every member's open views follow through the
 * `groupInfo` event.
 */
export function GroupTitleForm({
  dialogId,
  title,
  avatarUrl,
}: {
  dialogId: string;
  title: string;
  avatarUrl: string | null;
}) {
  const trpc = useTRPC();
  const id = useId();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.dialog.updateInfo.mutationOptions());
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const value = draft ?? title;

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.dialog.get.queryKey({ dialogId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() }),
    ]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (draft === null || draft.trim() === title) return;
    setError(null);
    try {
      await update.mutateAsync({ dialogId, title: draft });
      setDraft(null);
      await refresh();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <form className="group-title-form" onSubmit={onSubmit}>
      <AvatarEditor
        name={title}
        url={avatarUrl}
        group
        upload={(file) => uploadAvatar("dialog_avatar", dialogId, file)}
        save={async (avatarAttachmentId) => {
          await update.mutateAsync({ dialogId, avatarAttachmentId });
          await refresh();
        }}
      />
      <label htmlFor={id}>Group name</label>
      <div className="input-row">
        <input
          id={id}
          value={value}
          maxLength={128}
          onChange={(event) => {
            setDraft(event.target.value);
            setError(null);
          }}
        />
        <button
          type="submit"
          className="button primary small"
          disabled={update.isPending || draft === null || draft.trim() === "" || draft.trim() === title}
        >
          Rename
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
