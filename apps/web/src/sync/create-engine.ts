import {
  ChatEngine,
  type ChatMessage,
  createTrpcChatApi,
  IndexedDbStore,
  MemoryStore,
  toApiError,
} from "@parley/client";
import { CLOSE_REVOKED, describeMedia } from "@parley/protocol";
import { createXhrUploader } from "~/lib/upload-xhr";
import { tabSession } from "~/trpc/tab-session";
import type { Me } from "~/trpc/types";
import {
  attachmentFields,
  forgetLocalFiles,
  recordUploadProgress,
  rememberLocalPreviews,
  toOutgoingFiles,
} from "./attachment-entries";
import type { EnginePort, TimelineSnapshot } from "./engine-port";
import type { ConnectionState, SyncEvent, TimelineEntry } from "./types";

export type CreateEngineOptions = { realtimeUrl: string; viewer: Me };

const EMPTY: TimelineSnapshot = { entries: [], hasHoles: false };

/**
 * Adapts @parley/client's ChatEngine (the one sync implementation) to what the UI renders. All the
 * ordering, acks, dedup, gap fill, reconnect and catch-up happen inside the engine; this file only
 * maps its events to React-friendly snapshots and listeners.
 *
 * start() builds a fresh ChatEngine and stop() ends it, so the port survives React's
 * mount → unmount → mount in development (a stopped ChatEngine does not start again).
 */
export function createEngine({ realtimeUrl, viewer }: CreateEngineOptions): EnginePort {
  let engine: ChatEngine | null = null;
  let teardown: (() => void) | null = null;
  let connection: ConnectionState = "connecting";
  let signedOut = false;
  const connectionListeners = new Set<() => void>();
  const eventListeners = new Set<(event: SyncEvent) => void>();
  const signedOutListeners = new Set<() => void>();
  const timelineListeners = new Map<string, Set<() => void>>();
  const snapshots = new Map<string, TimelineSnapshot>();
  let pendingWatch: string[] = [];

  const emit = (event: SyncEvent) => {
    for (const listener of eventListeners) listener(event);
  };
  const timelineChanged = (dialogId: string) => {
    snapshots.delete(dialogId);
    for (const listener of timelineListeners.get(dialogId) ?? []) listener();
  };
  const allTimelinesChanged = () => {
    for (const dialogId of timelineListeners.keys()) timelineChanged(dialogId);
  };
  const setConnection = (next: ConnectionState) => {
    if (next === connection) return;
    connection = next;
    for (const listener of connectionListeners) listener();
  };
  const isBrowserOffline = () => typeof navigator !== "undefined" && navigator.onLine === false;

  function stop(): void {
    teardown?.();
    teardown = null;
    engine?.stop();
    engine = null;
  }

  function signOut(): void {
    if (signedOut) return;
    signedOut = true;
    stop();
    // This tab's client is revoked (or its browser is): its tokens are worthless now.
    tabSession().drop();
    for (const listener of signedOutListeners) listener();
  }

  async function checkSession(api: ReturnType<typeof createTrpcChatApi>): Promise<void> {
    try {
      await api.trpc.user.me.query();
    } catch (error) {
      // Offline: the reconnect loop keeps trying.
      if (toApiError(error).code === "UNAUTHORIZED") signOut();
    }
  }

  function start(): void {
    if (engine || signedOut) return;
    // Same-origin tRPC with this tab's own bearer token (refreshed by the tab session): every tab
    // is a client of its own, with its own clientSeq space, delivery state and socket identity.
    const api = createTrpcChatApi({ url: "/api/trpc", fetch: tabSession().fetch });
    const current = new ChatEngine({
      api,
      realtimeUrl,
      userId: viewer.id,
      clientId: viewer.clientId,
      uploader: createXhrUploader(() => tabSession().accessToken()),
      // Checkpoints survive reloads, so a returning tab fetches only what it missed.
      store:
        typeof indexedDB === "undefined"
          ? new MemoryStore()
          : new IndexedDbStore(`parley-${viewer.id}-${viewer.clientId}`),
    });
    engine = current;
    // A watch asked for before this engine existed (the idle stand-in, a restart) goes to it now.
    if (pendingWatch.length > 0) current.watchPresence(pendingWatch);

    // The browser knows before any heartbeat does: going offline drops the socket at once (the
    // engine's reconnect loop then retries with backoff) and the indicator says so until it is back.
    const onBrowserOffline = () => {
      setConnection("offline");
      current.dropConnection();
    };
    const onBrowserOnline = () => setConnection(current.connectionState === "open" ? "live" : "reconnecting");
    window.addEventListener("offline", onBrowserOffline);
    window.addEventListener("online", onBrowserOnline);

    const offs = [
      () => window.removeEventListener("offline", onBrowserOffline),
      () => window.removeEventListener("online", onBrowserOnline),
      current.on("connection", ({ state, code, reason }) => {
        if (state === "caught-up") return;
        if (state === "stopped" && code === CLOSE_REVOKED) return signOut();
        // No realtime token: maybe the network, maybe this client was revoked while the socket was
        // down (so no close code told us). The session check tells the two apart.
        if (state === "reconnecting" && reason?.startsWith("token:")) void checkSession(api);
        if (isBrowserOffline() && state !== "open") return setConnection("offline");
        setConnection(
          state === "open"
            ? "live"
            : state === "reconnecting"
              ? "reconnecting"
              : state === "stopped"
                ? "offline"
                : "connecting",
        );
      }),
      current.on("message", ({ dialogId, message }) => {
        timelineChanged(dialogId);
        emit({
          type: "message",
          dialogId,
          senderId: message.senderId,
          messageId: message.id,
          text:
            message.content.kind === "text"
              ? message.content.text
              : message.content.kind === "media"
                ? describeMedia(message.content)
                : "",
          createdAt: message.createdAt,
        });
      }),
      // An edit, delete or reaction changed a held message (the inbox preview may follow it).
      current.on("updated", ({ dialogId }) => {
        timelineChanged(dialogId);
        emit({ type: "updated", dialogId });
      }),
      current.on("upload", (progress) => {
        recordUploadProgress(progress);
        timelineChanged(progress.dialogId);
      }),
      current.on("status", ({ dialogId, status, localId }) => {
        if (status === "sent") forgetLocalFiles(localId);
        timelineChanged(dialogId);
        if (status === "sent") emit({ type: "sent", dialogId });
      }),
      current.on("receipt", (event) => {
        timelineChanged(event.dialogId);
        emit({ type: "receipt", dialogId: event.dialogId, userId: event.userId });
      }),
      current.on("dialog", (event) => {
        timelineChanged(event.dialogId);
        emit({ type: "dialog", dialogId: event.dialogId, change: event.change });
      }),
      current.on("typing", (event) => emit(event)),
      current.on("presence", (event) => emit(event)),
      current.on("profile", (event) => emit(event)),
      current.on("groupInfo", (event) => emit(event)),
      current.on("error", ({ error }) => {
        // A revoked or expired session shows up as UNAUTHORIZED on the engine's own API calls.
        if ((error as { code?: unknown } | null)?.code === "UNAUTHORIZED") signOut();
      }),
    ];
    teardown = () => {
      for (const off of offs) off();
    };
    setConnection("connecting");
    void current.start().then(allTimelinesChanged);
  }

  return {
    start,
    stop,
    connection: () => connection,
    onConnection: (listener) => {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    onEvent: (listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onSignedOut: (listener) => {
      signedOutListeners.add(listener);
      return () => signedOutListeners.delete(listener);
    },
    timeline: (dialogId) => {
      if (!engine) return EMPTY;
      let snapshot = snapshots.get(dialogId);
      if (!snapshot) {
        snapshot = {
          entries: engine.messages(dialogId).map(toEntry),
          hasHoles: engine.holes(dialogId).length > 0,
        };
        snapshots.set(dialogId, snapshot);
      }
      return snapshot;
    },
    onTimeline: (dialogId, listener) => {
      let listeners = timelineListeners.get(dialogId);
      if (!listeners) {
        listeners = new Set();
        timelineListeners.set(dialogId, listeners);
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    loadOlder: async (dialogId) => {
      if (!engine) return;
      await engine.loadOlder(dialogId);
      timelineChanged(dialogId);
    },
    send: (dialogId, text) => {
      if (!engine) return;
      engine.send(dialogId, text);
      timelineChanged(dialogId);
    },
    sendFiles: (dialogId, files, text) => {
      if (!engine) return;
      const localId = engine.sendFiles(dialogId, toOutgoingFiles(files), text);
      rememberLocalPreviews(localId, files);
      timelineChanged(dialogId);
    },
    retry: (dialogId, key) => {
      if (engine?.retry(dialogId, key)) timelineChanged(dialogId);
    },
    discard: (dialogId, key) => {
      if (engine?.discard(dialogId, key)) timelineChanged(dialogId);
    },
    typing: (dialogId) => {
      engine?.typing(dialogId).catch(() => undefined);
    },
    change: (dialogId, change) => {
      if (!engine) return;
      engine.change(dialogId, change);
      timelineChanged(dialogId);
    },
    reply: (dialogId, replyTo, text) => {
      if (!engine) return;
      engine.reply(dialogId, replyTo, text);
      timelineChanged(dialogId);
    },
    loadAround: async (dialogId, seq) => {
      if (!engine) return;
      await engine.loadAround(dialogId, seq);
      timelineChanged(dialogId);
    },
    // The engine reports reads debounced per dialog and only forward: every sighting may call this.
    markRead: (dialogId, seq) => {
      void engine?.markRead(dialogId, seq);
    },
    // Kept by the engine across reconnects (and sent again on each new socket).
    watchPresence: (userIds) => {
      pendingWatch = userIds;
      engine?.watchPresence(userIds);
    },
  };
}

function toEntry(message: ChatMessage): TimelineEntry {
  return {
    key: message.key,
    id: message.id,
    seq: message.seq,
    senderId: message.senderId,
    isOwn: message.isOwn,
    // A media message's caption is its text (may be empty).
    text: message.content.kind === "text" || message.content.kind === "media" ? message.content.text : "",
    createdAt: message.createdAt,
    status: message.status,
    ...(message.error === undefined ? {} : { error: message.error }),
    ...attachmentFields(message),
    ...lifecycleOf(message),
  };
}

/** Edit, delete, reply and reaction state of a message, as the timeline shows it. */
function lifecycleOf(message: ChatMessage): Partial<TimelineEntry> {
  return {
    kind: message.content.kind,
    ...(message.content.kind === "deleted" ? { deleted: true } : {}),
    ...(message.editedAt === null ? {} : { editedAt: message.editedAt }),
    ...(message.reactions.length === 0 ? {} : { reactions: message.reactions }),
    ...(message.reply ? { reply: message.reply } : {}),
    ...(message.changePending ? { changePending: true } : {}),
  };
}
