"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "~/lib/errors";
import { parseHandles, useResolveHandles } from "~/lib/use-resolve-handles";
import { useTRPC } from "~/trpc/react";

export function NewDirectForm() {
  const trpc = useTRPC();
  const id = useId();
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
    if (!target) return;
    setError(null);
    setBusy(true);
    try {
      const [userId] = await resolveHandles([target]);
      if (!userId) return;
      const dialog = await openDirect.mutateAsync({ userId });
      setHandle("");
      await queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() });
      router.push(`/chat/${dialog.id}`);
    } catch (caught) {
      setError(caught instanceof Error && !("data" in caught) ? caught.message : errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="new-direct" onSubmit={onSubmit}>
      <label htmlFor={id}>Start a chat</label>
      <div className="input-row">
        <input
          id={id}
          placeholder="handle"
          value={handle}
          onChange={(event) => setHandle(event.target.value)}
          autoCapitalize="none"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button type="submit" className="button primary small" disabled={busy || handle.trim() === ""}>
          Chat
        </button>
      </div>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
