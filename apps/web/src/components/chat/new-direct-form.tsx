"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "~/lib/errors";
import { parseHandles, useResolveHandles } from "~/lib/use-resolve-handles";
import { useTRPC } from "~/trpc/react";

export function NewDirectForm({
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
  const openDirect = useMutation(trpc.dialog.openDirect.mutationOptions());
  const [handle, setHandle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const [target] = parseHandles(handle);
    if (!target) return setError("Enter the handle of the person you want to talk to.");
    setError(null);
    setBusy(true);
    try {
      const [userId] = await resolveHandles([target]);
      if (!userId) return;
      const dialog = await openDirect.mutateAsync({ userId });
      setHandle("");
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
    <form id={id} className="new-form card" onSubmit={onSubmit} aria-label="New chat" noValidate>
      <label htmlFor={`${ids}-handle`}>Handle</label>
      <input
        id={`${ids}-handle`}
        placeholder="e.g. ann"
        value={handle}
        onChange={(event) => setHandle(event.target.value)}
        autoCapitalize="none"
        spellCheck={false}
        // biome-ignore lint/a11y/noAutofocus: the person just asked for this form
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${ids}-error` : undefined}
      />
      {error ? (
        <p className="field-error" id={`${ids}-error`} role="alert">
          {error}
        </p>
      ) : null}
      <div className="new-form-actions">
        <button type="button" className="button ghost small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary small" disabled={busy}>
          Start chat
        </button>
      </div>
    </form>
  );
}
