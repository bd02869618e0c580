"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "~/lib/errors";
import type { Profile } from "~/lib/use-profiles";
import { parseHandles, useResolveHandles } from "~/lib/use-resolve-handles";
import { useIsPhone, useSheet } from "~/lib/use-sheet";
import { usePresence } from "~/sync/sync-provider";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { GroupTitleForm } from "./group-title-form";
import { PresenceLine } from "./presence-line";

type Member = RouterOutputs["dialog"]["members"][number];

/**
 * Group membership: add by handle, remove, leave. A direct chat only lists its two people. Beside
 * the conversation on wide screens; on phones a bottom sheet that Back, a swipe down, a tap outside
 * or Escape dismisses.
 */
export function MembersPanel({
  dialogId,
  kind,
  title,
  avatarUrl,
  canManage,
  members,
  viewerId,
  profiles,
  onClose,
}: {
  dialogId: string;
  kind: "direct" | "group";
  title: string;
  avatarUrl: string | null;
  /** Owner or admin: may rename the group. */
  canManage: boolean;
  members: Member[];
  viewerId: string;
  profiles: Map<string, Profile>;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const resolveHandles = useResolveHandles();
  const addMembers = useMutation(trpc.dialog.addMembers.mutationOptions());
  const removeMember = useMutation(trpc.dialog.removeMember.mutationOptions());
  const leave = useMutation(trpc.dialog.leave.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [handles, setHandles] = useState("");
  const isPhone = useIsPhone();
  const sheet = useSheet(onClose, isPhone);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.dialog.members.queryKey({ dialogId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() }),
    ]);

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  function onAdd(event: FormEvent) {
    event.preventDefault();
    const list = parseHandles(handles);
    if (list.length === 0) return;
    void run(async () => {
      const userIds = await resolveHandles(list);
      await addMembers.mutateAsync({ dialogId, userIds });
      setHandles("");
      await refresh();
    });
  }

  function onRemove(userId: string) {
    void run(async () => {
      await removeMember.mutateAsync({ dialogId, userId });
      await refresh();
    });
  }

  function onLeave() {
    void run(async () => {
      await leave.mutateAsync({ dialogId });
      await queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() });
      router.replace("/chat");
    });
  }

  const panel = (
    <aside
      id="members-panel"
      className={`members-panel${isPhone ? " sheet" : ""}`}
      aria-label="Members"
      style={sheet.dragY > 0 ? { transform: `translateY(${sheet.dragY}px)` } : undefined}
    >
      <header className="members-header" {...(isPhone ? sheet.dragHandlers : {})}>
        {isPhone ? <span className="sheet-grip" aria-hidden="true" /> : null}
        <h2>Members</h2>
        <button type="button" className="button ghost small" onClick={sheet.close}>
          Close
        </button>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="member-list">
        {members.map((member) => {
          const profile = profiles.get(member.userId);
          const name = profile?.displayName ?? "…";
          return (
            <li key={member.userId} className="member" data-testid="member">
              <span>
                <strong>{name}</strong> {profile ? <span className="muted">@{profile.handle}</span> : null}
                {member.userId === viewerId ? (
                  <span className="tag">You</span>
                ) : (
                  <MemberPresence userId={member.userId} />
                )}
              </span>
              {kind === "group" && canManage && member.userId !== viewerId ? (
                <button
                  type="button"
                  className="button ghost small danger-text"
                  onClick={() => onRemove(member.userId)}
                  aria-label={`Remove ${name}`}
                >
                  Remove
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {kind === "group" && canManage ? (
        <GroupTitleForm dialogId={dialogId} title={title} avatarUrl={avatarUrl} />
      ) : null}
      {kind === "group" ? (
        <>
          <form className="add-members" onSubmit={onAdd}>
            <label htmlFor={id}>Add members (handles)</label>
            <div className="input-row">
              <input
                id={id}
                value={handles}
                onChange={(event) => setHandles(event.target.value)}
                autoCapitalize="none"
                spellCheck={false}
              />
              <button type="submit" className="button primary small" disabled={handles.trim() === ""}>
                Add
              </button>
            </div>
          </form>
          <button type="button" className="button danger small" onClick={onLeave}>
            Leave group
          </button>
        </>
      ) : null}
    </aside>
  );
  if (!isPhone) return panel;
  return (
    <>
      <button type="button" className="sheet-backdrop" aria-label="Close members" onClick={sheet.close} />
      {panel}
    </>
  );
}

function MemberPresence({ userId }: { userId: string }) {
  return <PresenceLine state={usePresence(userId)} />;
}
