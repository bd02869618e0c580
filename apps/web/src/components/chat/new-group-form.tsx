"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "~/lib/errors";
import { parseHandles, useResolveHandles } from "~/lib/use-resolve-handles";
import { useTRPC } from "~/trpc/react";

export function NewGroupForm({
  id,
  onDone,
  onCancel,
}: {
  id: string;
  onDone: () => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const ids = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const resolveHandles = useResolveHandles();
  const createGroup = useMutation(trpc.dialog.createGroup.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const title = String(form.get("title") ?? "").trim();
    const handles = parseHandles(String(form.get("members") ?? ""));
    if (!title) return setError("Give the group a title.");
    if (handles.length === 0) return setError("Add at least one member by handle.");
    setError(null);
    setBusy(true);
    try {
      const memberIds = await resolveHandles(handles);
      const dialog = await createGroup.mutateAsync({ title, memberIds });
      await queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() });
      onDone();
      router.push(`/chat/${dialog.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form id={id} className="new-form card" onSubmit={onSubmit} aria-label="New group" noValidate>
      <label htmlFor={`${ids}-title`}>Group title</label>
      {/* biome-ignore lint/a11y/noAutofocus: the person just asked for this form */}
      <input id={`${ids}-title`} name="title" maxLength={200} autoFocus />
      <label htmlFor={`${ids}-members`}>Members (handles, separated by commas)</label>
      <input id={`${ids}-members`} name="members" autoCapitalize="none" spellCheck={false} />
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="new-form-actions">
        <button type="button" className="button ghost small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary small" disabled={busy}>
          Create group
        </button>
      </div>
    </form>
  );
}
