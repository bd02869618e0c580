"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { dialogTitle } from "~/components/chat/dialog-title";
import { INBOX_LIMIT } from "~/lib/first-paint";
import { useProfiles } from "~/lib/use-profiles";
import { useSyncEvents, useViewer } from "~/sync/sync-provider";
import type { SyncEvent } from "~/sync/types";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { askPermission, dismissPrompt, isPromptDismissed, notificationPermission } from "./permission";
import { TabCoordinator } from "./tab-coordinator";

type InboxPage = RouterOutputs["dialog"]["list"];

/** Older than this when it arrives: caught up after an absence, not news (no notification storm). */
const FRESH_MS = 2 * 60_000;
const BODY_MAX = 140;

/**
 * Browser notifications for messages from others while no Parley tab of this user is in view:
 * one tab notifies (TabCoordinator), muted dialogs stay quiet, one notification per dialog (a newer
 * message replaces the older one), a click focuses the tab and opens the dialog. Permission is asked
 * only when the user presses the banner's button, which appears after the first message from
 * someone else (never on load), or from the settings page.
 */
export function MessageNotifier() {
  const trpc = useTRPC();
  const viewer = useViewer();
  const router = useRouter();
  const queryClient = useQueryClient();
  const coordinator = useRef<TabCoordinator | null>(null);
  const [prompt, setPrompt] = useState(false);
  const [senderIds, setSenderIds] = useState<string[]>([]);
  // The inbox is kept live by the sync provider; it knows titles, peers and who muted what.
  const inbox = useQuery(trpc.dialog.list.queryOptions({ limit: INBOX_LIMIT }));
  const nameIds = useMemo(
    () => [...(inbox.data?.items.map((item) => item.peerUserId) ?? []), ...senderIds],
    [inbox.data, senderIds],
  );
  const profiles = useProfiles(nameIds);
  const profilesRef = useRef(profiles);
  profilesRef.current = profiles;

  useEffect(() => {
    const tabs = new TabCoordinator(viewer.id);
    coordinator.current = tabs;
    return () => {
      tabs.stop();
      coordinator.current = null;
    };
  }, [viewer.id]);

  const onEvent = useCallback(
    (event: SyncEvent) => {
      if (event.type !== "message" || event.senderId === viewer.id) return;
      if (Date.now() - event.createdAt > FRESH_MS) return;
      const permission = notificationPermission();
      if (permission === "default" && !isPromptDismissed()) setPrompt(true);
      if (permission !== "granted" || !coordinator.current?.shouldNotify()) return;
      const page = queryClient.getQueryData<InboxPage>(trpc.dialog.list.queryKey({ limit: INBOX_LIMIT }));
      const dialog = page?.items.find((item) => item.id === event.dialogId);
      if (dialog?.muted) return;
      // Group senders are looked up for next time; the first may read "Someone".
      setSenderIds((ids) => (ids.includes(event.senderId) ? ids : [...ids, event.senderId]));
      const sender = profilesRef.current.get(event.senderId)?.displayName ?? "Someone";
      const title = dialog ? dialogTitle(dialog, profilesRef.current) : sender;
      const text = event.text.length > BODY_MAX ? `${event.text.slice(0, BODY_MAX)}…` : event.text;
      const notification = new window.Notification(title, {
        body: dialog?.kind === "group" ? `${sender}: ${text}` : text,
        tag: `parley-dialog-${event.dialogId}`,
        data: { dialogId: event.dialogId },
      });
      notification.onclick = () => {
        window.focus();
        router.push(`/chat/${event.dialogId}`);
        notification.close();
      };
    },
    [viewer.id, queryClient, trpc, router],
  );
  useSyncEvents(onEvent);

  if (!prompt) return null;
  const close = () => {
    dismissPrompt();
    setPrompt(false);
  };
  return (
    <section className="notify-banner" aria-label="Notifications">
      <span>Get a notification when a message arrives while Parley is in the background?</span>
      <button
        type="button"
        className="button primary small"
        onClick={() => {
          void askPermission().then(() => setPrompt(false));
        }}
      >
        Turn on
      </button>
      <button type="button" className="button ghost small" onClick={close} aria-label="Not now">
        Not now
      </button>
    </section>
  );
}
