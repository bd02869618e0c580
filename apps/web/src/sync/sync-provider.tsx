"use client";

import type { TChangeInput } from "@parley/protocol";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from "react";
import { useTRPC } from "~/trpc/react";
import type { Me } from "~/trpc/types";
import { createEngine } from "./create-engine";
import type { EnginePort, TimelineSnapshot } from "./engine-port";
import { createIdleEngine } from "./idle-engine";
import { type PresenceState, PresenceTracker } from "./presence-tracker";
import { ProfileUpdates } from "./profile-updates";
import type { ConnectionState, SyncEvent, TimelineEntry } from "./types";
import { TypingTracker } from "./typing-tracker";
import { WatchedUsers } from "./watched-users";

type SyncContextValue = {
  engine: EnginePort;
  viewer: Me;
  typing: TypingTracker;
  presence: PresenceTracker;
  profileUpdates: ProfileUpdates;
  watched: WatchedUsers;
};

const SyncContext = createContext<SyncContextValue | null>(null);

// Inbox refetches are coalesced: a burst of 20 pushes costs one request, not 20.
const INBOX_REFRESH_MS = 150;

/**
 * One sync engine per tab, for the signed-in viewer; torn down on sign-out or unmount. `viewer` is
 * who is signed in (known from the server's first paint); the engine starts once this tab's own
 * client (`tabViewer`) is open, and until then a stand-in keeps what is sent.
 */
export function SyncProvider({
  viewer,
  tabViewer,
  realtimeUrl,
  children,
}: {
  viewer: Me;
  tabViewer: Me | null;
  realtimeUrl: string;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [typing] = useState(() => new TypingTracker());
  const [presence] = useState(() => new PresenceTracker());
  const [profileUpdates] = useState(() => new ProfileUpdates());
  const [watched] = useState(() => new WatchedUsers());
  const [idle] = useState(createIdleEngine);
  const [engine, setEngine] = useState<EnginePort>(idle);

  useEffect(() => {
    if (!tabViewer) return;
    const live = createEngine({ realtimeUrl, viewer: tabViewer });
    live.start();
    for (const queued of idle.drainSends()) {
      if (queued.replyTo) live.reply(queued.dialogId, queued.replyTo, queued.text);
      else live.send(queued.dialogId, queued.text);
    }
    setEngine(live);
    return () => {
      live.stop();
      setEngine(idle);
    };
  }, [idle, realtimeUrl, tabViewer]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refreshInbox = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() });
      }, INBOX_REFRESH_MS);
    };
    const onEvent = (event: SyncEvent) => {
      switch (event.type) {
        case "message":
          typing.clear(event.dialogId, event.senderId);
          refreshInbox();
          break;
        case "sent":
        case "updated":
          refreshInbox();
          break;
        case "receipt":
          // Our own watermark moved (maybe from another tab): unread counts change.
          if (event.userId === viewer.id) refreshInbox();
          void queryClient.invalidateQueries({
            queryKey: trpc.dialog.members.queryKey({ dialogId: event.dialogId }),
          });
          break;
        case "dialog":
          if (event.change === "synced") break;
          refreshInbox();
          void queryClient.invalidateQueries({
            queryKey: trpc.dialog.get.queryKey({ dialogId: event.dialogId }),
          });
          void queryClient.invalidateQueries({
            queryKey: trpc.dialog.members.queryKey({ dialogId: event.dialogId }),
          });
          break;
        case "typing":
          typing.add(event.dialogId, event.userId, event.expiresAt);
          break;
        case "presence":
          presence.apply(event.userId, event.online, event.lastSeenAt);
          break;
        case "profile":
          profileUpdates.apply(event.userId, event);
          break;
        case "groupInfo":
          // The new title is in the pushed event; the refetch also brings the role-dependent rest.
          refreshInbox();
          void queryClient.invalidateQueries({
            queryKey: trpc.dialog.get.queryKey({ dialogId: event.dialogId }),
          });
          break;
      }
    };
    const offEvent = engine.onEvent(onEvent);
    // A reconnect may have missed anything: refresh what the engine does not own.
    const offConnection = engine.onConnection(() => {
      if (engine.connection() === "live") {
        refreshInbox();
        void queryClient.invalidateQueries({ queryKey: trpc.dialog.members.queryKey() });
        // Names may have changed while this tab heard nothing (profile events are not replayed).
        void queryClient.invalidateQueries({ queryKey: trpc.user.byIds.queryKey() });
      }
    });
    const offWatched = watched.subscribe(() => engine.watchPresence(watched.userIds()));
    engine.watchPresence(watched.userIds());
    const offSignedOut = engine.onSignedOut(() => {
      queryClient.clear();
      router.replace("/sign-in?signedOut=1");
    });
    return () => {
      if (timer) clearTimeout(timer);
      offEvent();
      offConnection();
      offSignedOut();
      offWatched();
    };
  }, [engine, queryClient, router, trpc, typing, presence, profileUpdates, watched, viewer.id]);

  const value = useMemo(
    () => ({ engine, viewer, typing, presence, profileUpdates, watched }),
    [engine, viewer, typing, presence, profileUpdates, watched],
  );
  return <SyncContext.Provider value={value}>{children}</SyncContext.Provider>;
}

function useSync(): SyncContextValue {
  const value = useContext(SyncContext);
  if (!value) throw new Error("useSync outside SyncProvider");
  return value;
}

export function useViewer(): Me {
  return useSync().viewer;
}

export function useConnectionState(): ConnectionState {
  const { engine } = useSync();
  return useSyncExternalStore(engine.onConnection, engine.connection, () => "connecting");
}

const EMPTY_TIMELINE: TimelineSnapshot = { entries: [], hasHoles: false };
// Long timelines render their newest part; scrolling up reveals more, then asks the engine.
const PAGE = 60;

/** What the server rendered for a dialog: shown until the engine holds a message at least as new. */
export type TimelineSeed = { entries: TimelineEntry[]; hasOlder: boolean };

const newestSeq = (entries: TimelineEntry[]) => {
  for (let index = entries.length - 1; index >= 0; index--) {
    const seq = entries[index]?.seq;
    if (typeof seq === "number") return seq;
  }
  return 0;
};

export function useDialogTimeline(dialogId: string, seed?: TimelineSeed | null) {
  const { engine } = useSync();
  const subscribe = useCallback(
    (listener: () => void) => engine.onTimeline(dialogId, listener),
    [engine, dialogId],
  );
  const live = useSyncExternalStore(
    subscribe,
    () => engine.timeline(dialogId),
    () => EMPTY_TIMELINE,
  );
  // Never step back to an emptier view: the engine's timeline wins once it has caught up with what
  // the first paint showed (it then also holds the pending sends and everything after).
  const usesSeed = seed != null && newestSeq(seed.entries) > newestSeq(live.entries);
  const snapshot = useMemo<TimelineSnapshot>(
    () => (usesSeed && seed ? { entries: seed.entries, hasHoles: seed.hasOlder } : live),
    [usesSeed, seed, live],
  );
  const [visible, setVisible] = useState(PAGE);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const hidden = Math.max(0, snapshot.entries.length - visible);
  const entries = useMemo(
    () => (hidden > 0 ? snapshot.entries.slice(hidden) : snapshot.entries),
    [snapshot, hidden],
  );
  const loadOlder = useCallback(() => {
    setVisible((count) => count + PAGE);
    if (hidden > 0 || !snapshot.hasHoles) return;
    setLoadingOlder(true);
    engine
      .loadOlder(dialogId)
      .catch(() => undefined)
      .finally(() => setLoadingOlder(false));
  }, [engine, dialogId, hidden, snapshot.hasHoles]);
  // Shows everything from the entry with this seq on (a jump to a quoted message further up).
  const reveal = useCallback(
    (seq: number) => {
      const index = snapshot.entries.findIndex((entry) => entry.seq === seq);
      if (index >= 0) setVisible((count) => Math.max(count, snapshot.entries.length - index));
    },
    [snapshot],
  );
  return { entries, hasOlder: hidden > 0 || snapshot.hasHoles, loadingOlder, loadOlder, reveal };
}

export function useTypingUsers(dialogId: string): string[] {
  const { typing } = useSync();
  const subscribe = useCallback((listener: () => void) => typing.subscribe(listener), [typing]);
  return useSyncExternalStore(
    subscribe,
    () => typing.usersIn(dialogId),
    () => NO_USERS,
  );
}
const NO_USERS: string[] = [];

/** Calls `listener` for every engine event while mounted (notifications, title counts). */
export function useSyncEvents(listener: (event: SyncEvent) => void): void {
  const { engine } = useSync();
  useEffect(() => engine.onEvent(listener), [engine, listener]);
}

/** Follows these users' presence while mounted (the provider watches the union of every caller). */
export function useWatchPresence(userIds: readonly string[]): void {
  const { watched } = useSync();
  const key = [...new Set(userIds)].sort().join(",");
  useEffect(() => (key ? watched.add(key.split(",")) : undefined), [watched, key]);
}

export function usePresence(userId: string | null | undefined): PresenceState | null {
  const { presence } = useSync();
  const subscribe = useCallback((listener: () => void) => presence.subscribe(listener), [presence]);
  return useSyncExternalStore(
    subscribe,
    () => (userId ? presence.get(userId) : null),
    () => null,
  );
}

/** The tracker itself, for callers that add stored last-seen times. */
export function usePresenceTracker(): PresenceTracker {
  return useSync().presence;
}

/** Pushed profile changes (merged by useProfiles) and a revision that changes with each. */
export function useProfileUpdates(): { updates: ProfileUpdates; revision: number } {
  const { profileUpdates } = useSync();
  const revision = useSyncExternalStore(profileUpdates.subscribe, profileUpdates.current, () => 0);
  return { updates: profileUpdates, revision };
}

export function useSyncActions() {
  const { engine } = useSync();
  return useMemo(
    () => ({
      send: (dialogId: string, text: string) => engine.send(dialogId, text),
      sendFiles: (dialogId: string, files: File[], text: string) => engine.sendFiles(dialogId, files, text),
      retry: (dialogId: string, key: string) => engine.retry(dialogId, key),
      discard: (dialogId: string, key: string) => engine.discard(dialogId, key),
      typing: (dialogId: string) => engine.typing(dialogId),
      markRead: (dialogId: string, seq: number) => engine.markRead(dialogId, seq),
      change: (dialogId: string, change: TChangeInput) => engine.change(dialogId, change),
      reply: (dialogId: string, replyTo: string, text: string) => engine.reply(dialogId, replyTo, text),
      loadAround: (dialogId: string, seq: number) => engine.loadAround(dialogId, seq),
    }),
    [engine],
  );
}
