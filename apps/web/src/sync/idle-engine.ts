import type { EnginePort, TimelineSnapshot } from "./engine-port";

export type QueuedSend = { dialogId: string; text: string; replyTo?: string };

export type IdleEngine = EnginePort & {
  /** Messages sent before the tab's engine existed, oldest first; the caller hands them on. */
  drainSends: () => QueuedSend[];
};

const EMPTY: TimelineSnapshot = { entries: [], hasHoles: false };
const NOTHING = () => undefined;

/**
 * Stands in for the sync engine while this tab's own client is still being opened (a few hundred
 * ms after the server-rendered first paint): "connecting", no timeline of its own (the page shows
 * the server's), and sends held in order until the real engine takes them.
 */
export function createIdleEngine(): IdleEngine {
  let queued: QueuedSend[] = [];
  return {
    start: NOTHING,
    stop: NOTHING,
    connection: () => "connecting",
    onConnection: () => NOTHING,
    onEvent: () => NOTHING,
    onSignedOut: () => NOTHING,
    timeline: () => EMPTY,
    onTimeline: () => NOTHING,
    loadOlder: async () => undefined,
    send: (dialogId, text) => {
      queued.push({ dialogId, text });
    },
    // Files need the real engine (the upload and the send queue); the composer waits for it.
    sendFiles: NOTHING,
    // Nothing has failed yet: only the real engine has sends of its own.
    retry: NOTHING,
    discard: NOTHING,
    typing: NOTHING,
    markRead: NOTHING,
    watchPresence: NOTHING,
    // A change names a confirmed message; the real engine is a moment away (the action is dropped).
    change: NOTHING,
    reply: (dialogId, replyTo, text) => {
      queued.push({ dialogId, text, replyTo });
    },
    loadAround: async () => undefined,
    drainSends: () => {
      const sends = queued;
      queued = [];
      return sends;
    },
  };
}
