"use client";

import type { TUserEvent } from "@parley/protocol";
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
import { useTRPC, useTRPCClient } from "~/trpc/react";
import type { Me } from "~/trpc/types";
import { createEngine } from "./create-engine";
import type { EnginePort, TimelineSnapshot } from "./engine-port";
import type { ConnectionState } from "./types";
import { TypingTracker } from "./typing-tracker";

type SyncContextValue = { engine: EnginePort; viewer: Me; typing: TypingTracker };

const SyncContext = createContext<SyncContextValue | null>(null);

// Inbox refetches are coalesced: a burst of 20 pushes costs one request, not 20.
const INBOX_REFRESH_MS = 150;

/** One sync engine per tab, for the signed-in viewer; torn down on sign-out or unmount. */
export function SyncProvider({
  viewer,
  realtimeUrl,
  children,
}: {
  viewer: Me;
  realtimeUrl: string;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [typing] = useState(() => new TypingTracker());
  const [engine] = useState(() => createEngine({ trpcClient, realtimeUrl, viewer }));

  useEffect(() => {
    engine.start();
    return () => engine.stop();
  }, [engine]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refreshInbox = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: trpc.dialog.list.queryKey() });
      }, INBOX_REFRESH_MS);
    };
    const onEvent = (event: TUserEvent) => {
      switch (event.type) {
        case "message":
          typing.clear(event.dialogId, event.message.senderId);
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
          break;
      }
    };
    const offEvent = engine.onEvent(onEvent);
    // A reconnect may have missed anything: refresh what the engine does not own.
    const offConnection = engine.onConnection(() => {
      if (engine.connection() === "live") {
        refreshInbox();
        void queryClient.invalidateQueries({ queryKey: trpc.dialog.members.queryKey() });
      }
    });
    const offSignedOut = engine.onSignedOut(() => {
      queryClient.clear();
      router.replace("/sign-in?signedOut=1");
    });
    return () => {
      if (timer) clearTimeout(timer);
      offEvent();
      offConnection();
      offSignedOut();
    };
  }, [engine, queryClient, router, trpc, typing, viewer.id]);

  const value = useMemo(() => ({ engine, viewer, typing }), [engine, viewer, typing]);
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

const EMPTY_TIMELINE: TimelineSnapshot = { entries: [], hasOlder: false, loadingOlder: false };

export function useDialogTimeline(dialogId: string): TimelineSnapshot & { loadOlder: () => void } {
  const { engine } = useSync();
  const subscribe = useCallback(
    (listener: () => void) => engine.onTimeline(dialogId, listener),
    [engine, dialogId],
  );
  const snapshot = useSyncExternalStore(
    subscribe,
    () => engine.timeline(dialogId),
    () => EMPTY_TIMELINE,
  );
  const loadOlder = useCallback(() => engine.loadOlder(dialogId), [engine, dialogId]);
  return { ...snapshot, loadOlder };
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

export function useSyncActions() {
  const { engine } = useSync();
  return useMemo(
    () => ({
      send: (dialogId: string, text: string) => engine.send(dialogId, text),
      typing: (dialogId: string) => engine.typing(dialogId),
      markRead: (dialogId: string, seq: number) => engine.markRead(dialogId, seq),
    }),
    [engine],
  );
}
