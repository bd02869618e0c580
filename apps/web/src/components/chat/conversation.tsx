"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useDialogTimeline, useSyncActions, useTypingUsers, useViewer } from "~/sync/sync-provider";
import type { DeliveryState, TimelineEntry } from "~/sync/types";
import { useTRPC } from "~/trpc/react";
import { Composer } from "./composer";
import { ConversationHeader } from "./conversation-header";
import { MembersPanel } from "./members-panel";
import { Timeline } from "./timeline";
import { TypingIndicator } from "./typing-indicator";

export function Conversation({ dialogId }: { dialogId: string }) {
  const trpc = useTRPC();
  const viewer = useViewer();
  const dialog = useQuery(trpc.dialog.get.queryOptions({ dialogId }));
  const members = useQuery(trpc.dialog.members.queryOptions({ dialogId }));
  const timeline = useDialogTimeline(dialogId);
  const typingIds = useTypingUsers(dialogId);
  const actions = useSyncActions();
  const [showMembers, setShowMembers] = useState(false);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const member of members.data ?? []) map.set(member.userId, member.displayName);
    return map;
  }, [members.data]);
  const nameOf = useCallback((userId: string) => names.get(userId) ?? "Someone", [names]);

  // The sender's view: read / delivered once every other member's watermark passed the message.
  const deliveryOf = useCallback(
    (entry: TimelineEntry): DeliveryState => {
      if (entry.status !== "sent" || entry.seq === null) return entry.status;
      const others = (members.data ?? []).filter((member) => member.userId !== viewer.id);
      if (others.length === 0) return "sent";
      if (others.every((member) => member.readSeq >= (entry.seq ?? 0))) return "read";
      if (others.every((member) => Math.max(member.deliveredSeq, member.readSeq) >= (entry.seq ?? 0))) {
        return "delivered";
      }
      return "sent";
    },
    [members.data, viewer.id],
  );

  const onSend = useCallback((text: string) => actions.send(dialogId, text), [actions, dialogId]);
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

  const title = dialog.data?.title ?? "…";
  return (
    <section className="conversation" aria-label={`Conversation: ${title}`}>
      <ConversationHeader
        title={title}
        kind={dialog.data?.kind ?? "direct"}
        memberCount={members.data?.length ?? 0}
        showMembers={showMembers}
        onToggleMembers={() => setShowMembers((open) => !open)}
      />
      <div className="conversation-body">
        <div className="conversation-main">
          <Timeline
            entries={timeline.entries}
            viewerId={viewer.id}
            nameOf={nameOf}
            deliveryOf={deliveryOf}
            hasOlder={timeline.hasOlder}
            loadingOlder={timeline.loadingOlder}
            onLoadOlder={timeline.loadOlder}
            onSeen={onSeen}
          />
          <TypingIndicator names={typingIds.filter((id) => id !== viewer.id).map(nameOf)} />
          <Composer onSend={onSend} onTyping={onTyping} />
        </div>
        {showMembers && dialog.data ? (
          <MembersPanel
            dialogId={dialogId}
            kind={dialog.data.kind}
            members={members.data ?? []}
            viewerId={viewer.id}
            onClose={() => setShowMembers(false)}
          />
        ) : null}
      </div>
    </section>
  );
}
