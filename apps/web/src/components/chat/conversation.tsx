"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { ReplyBanner } from "~/components/message/reply-banner";
import { seedEntries } from "~/components/message/seed-entries";
import { useMessageLifecycle } from "~/components/message/use-message-lifecycle";
import { useConversationSearch } from "~/components/search/use-conversation-search";
import { useSeedProfiles } from "~/lib/profile-seed";
import { useFollowPresence } from "~/lib/use-last-seen";
import { useProfiles } from "~/lib/use-profiles";
import type { ConversationSeed } from "~/server/initial-data";
import {
  type TimelineSeed,
  useDialogTimeline,
  usePresence,
  useSyncActions,
  useTypingUsers,
  useViewer,
} from "~/sync/sync-provider";
import type { DeliveryState, TimelineEntry } from "~/sync/types";
import { useTRPC } from "~/trpc/react";
import { Composer } from "./composer";
import { ConversationHeader } from "./conversation-header";
import { dialogAvatarUrl, dialogTitle } from "./dialog-title";
import { MembersPanel } from "./members-panel";
import { Timeline } from "./timeline";
import { TypingIndicator } from "./typing-indicator";

export function Conversation({ dialogId, seed }: { dialogId: string; seed?: ConversationSeed | null }) {
  const trpc = useTRPC();
  const viewer = useViewer();
  const queryClient = useQueryClient();
  // The server's answers are this view's first data (the cache's own, when fresher, are kept).
  useState(() => {
    if (!seed) return;
    const dialogKey = trpc.dialog.get.queryKey({ dialogId });
    const membersKey = trpc.dialog.members.queryKey({ dialogId });
    if (!queryClient.getQueryData(dialogKey)) queryClient.setQueryData(dialogKey, seed.dialog);
    if (!queryClient.getQueryData(membersKey)) queryClient.setQueryData(membersKey, seed.members);
  });
  useSeedProfiles(seed?.profiles);
  const dialog = useQuery(trpc.dialog.get.queryOptions({ dialogId }));
  const members = useQuery(trpc.dialog.members.queryOptions({ dialogId }));
  const timelineSeed = useMemo<TimelineSeed | null>(
    () =>
      seed
        ? {
            entries: seedEntries(seed.history.messages, viewer.id),
            hasOlder: seed.history.hasMore,
          }
        : null,
    [seed, viewer.id],
  );
  const timeline = useDialogTimeline(dialogId, timelineSeed);
  const typingIds = useTypingUsers(dialogId);
  const actions = useSyncActions();
  const [showMembers, setShowMembers] = useState(false);

  // Senders include people who have since left, so ask for them too, not only current members.
  const userIds = useMemo(
    () => [
      ...(members.data ?? []).map((member) => member.userId),
      ...new Set(timeline.entries.map((entry) => entry.senderId)),
      dialog.data?.peerUserId,
    ],
    [members.data, timeline.entries, dialog.data?.peerUserId],
  );
  const profiles = useProfiles(userIds);
  const memberIds = useMemo(
    () => (members.data ?? []).map((member) => member.userId).filter((id) => id !== viewer.id),
    [members.data, viewer.id],
  );
  useFollowPresence(memberIds);
  const peerPresence = usePresence(dialog.data?.kind === "direct" ? dialog.data.peerUserId : null);
  const setMuted = useMutation(trpc.dialog.setMuted.mutationOptions());
  const onToggleMuted = useCallback(() => {
    const muted = !(dialog.data?.muted ?? false);
    void setMuted
      .mutateAsync({ dialogId, muted })
      .then(() =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.dialog.get.queryKey({ dialogId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() }),
        ]),
      );
  }, [dialog.data?.muted, dialogId, queryClient, setMuted, trpc]);
  const nameOf = useCallback((userId: string) => profiles.get(userId)?.displayName ?? "Someone", [profiles]);
  // In-conversation search, and the message a search result opened, shown at its place.
  const search = useConversationSearch({
    dialogId,
    entries: timeline.entries,
    reveal: timeline.reveal,
    nameOf,
  });

  // The sender's view: the engine knows pushed receipts; the members query knows the watermarks
  // from before this tab opened. Whichever is further along wins.
  const deliveryOf = useCallback(
    (entry: TimelineEntry): DeliveryState => {
      if (entry.status === "pending" || entry.status === "failed" || entry.seq === null) {
        return entry.status === "failed" ? "failed" : "pending";
      }
      const seq = entry.seq;
      const others = (members.data ?? []).filter((member) => member.userId !== viewer.id);
      let fromMembers: DeliveryState = "sent";
      if (others.length > 0 && others.every((member) => member.readSeq >= seq)) fromMembers = "read";
      else if (others.length > 0 && others.every((member) => member.deliveredSeq >= seq))
        fromMembers = "delivered";
      const fromEngine: DeliveryState = entry.status === "received" ? "sent" : entry.status;
      return RANK[fromEngine] >= RANK[fromMembers] ? fromEngine : fromMembers;
    },
    [members.data, viewer.id],
  );

  const { lifecycle, send: onSend } = useMessageLifecycle(dialogId, {
    canModerate:
      dialog.data?.kind === "group" && (dialog.data.role === "owner" || dialog.data.role === "admin"),
    show: timeline.reveal,
  });
  const onTyping = useCallback(() => actions.typing(dialogId), [actions, dialogId]);
  const onSeen = useCallback((seq: number) => actions.markRead(dialogId, seq), [actions, dialogId]);

  if (dialog.error) {
    return (
      <section className="empty-pane" role="alert">
        <h2>This conversation is not available</h2>
        <p>You may have left it or been removed.</p>
      </section>
    );
  }

  const title = dialog.data ? dialogTitle(dialog.data, profiles) : "…";
  return (
    <section className="conversation" aria-label={`Conversation: ${title}`}>
      <ConversationHeader
        title={title}
        kind={dialog.data?.kind ?? "direct"}
        avatarUrl={dialog.data ? dialogAvatarUrl(dialog.data, profiles) : null}
        memberCount={members.data?.length ?? 0}
        peerPresence={peerPresence}
        muted={dialog.data?.muted ?? false}
        onToggleMuted={onToggleMuted}
        showMembers={showMembers}
        onToggleMembers={() => setShowMembers((open) => !open)}
        onSearch={search.openPanel}
      />
      <div className="conversation-body">
        <div className="conversation-main">
          {search.panel}
          <Timeline
            entries={timeline.entries}
            viewerId={viewer.id}
            nameOf={nameOf}
            deliveryOf={deliveryOf}
            hasOlder={timeline.hasOlder}
            loadingOlder={timeline.loadingOlder}
            onLoadOlder={timeline.loadOlder}
            onSeen={onSeen}
            // Never "No messages yet" for a dialog that has some: they are on their way.
            expectsMessages={(dialog.data?.lastSeq ?? 0) > (dialog.data?.joinedSeq ?? 0)}
            onRetry={(key) => actions.retry(dialogId, key)}
            onDiscard={(key) => actions.discard(dialogId, key)}
            lifecycle={lifecycle}
          />
          <TypingIndicator names={typingIds.filter((id) => id !== viewer.id).map(nameOf)} />
          <ReplyBanner dialogId={dialogId} nameOf={nameOf} />
          <Composer
            onSend={onSend}
            onSendFiles={(files, text) => actions.sendFiles(dialogId, files, text)}
            onTyping={onTyping}
          />
        </div>
        {showMembers && dialog.data ? (
          <MembersPanel
            dialogId={dialogId}
            kind={dialog.data.kind}
            title={dialog.data.title ?? ""}
            avatarUrl={dialog.data.avatarUrl}
            canManage={dialog.data.role === "owner" || dialog.data.role === "admin"}
            members={members.data ?? []}
            profiles={profiles}
            viewerId={viewer.id}
            onClose={() => setShowMembers(false)}
          />
        ) : null}
      </div>
    </section>
  );
}

const RANK: Record<DeliveryState, number> = { failed: 0, pending: 1, sent: 2, delivered: 3, read: 4 };
