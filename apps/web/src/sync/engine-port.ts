import type { TChangeInput } from "@parley/protocol";
import type { ConnectionState, SyncEvent, TimelineEntry } from "./types";

export type TimelineSnapshot = { entries: TimelineEntry[]; hasHoles: boolean };

/**
 * What the UI needs from the sync engine. `create-engine.ts` adapts @parley/client's ChatEngine to
 * it; the app holds no sync logic of its own (ordering, acks, dedup, gap fill and catch-up live in
 * the engine). Snapshots are cached so React's useSyncExternalStore sees stable references.
 */
export type EnginePort = {
  start: () => void;
  stop: () => void;
  connection: () => ConnectionState;
  onConnection: (listener: () => void) => () => void;
  onEvent: (listener: (event: SyncEvent) => void) => () => void;
  /** This client was revoked or its session ended: sign out. */
  onSignedOut: (listener: () => void) => () => void;
  timeline: (dialogId: string) => TimelineSnapshot;
  onTimeline: (dialogId: string, listener: () => void) => () => void;
  /** Fetches the next older page the engine does not hold yet. */
  loadOlder: (dialogId: string) => Promise<void>;
  send: (dialogId: string, text: string) => void;
  /** Sends files with an optional caption as one message (uploaded first, in its place in the order). */
  sendFiles: (dialogId: string, files: File[], text: string) => void;
  /** A failed send (never committed) goes again, at the end, as a new message. */
  retry: (dialogId: string, key: string) => void;
  /** A failed send is given up: it leaves the timeline and the device's store. */
  discard: (dialogId: string, key: string) => void;
  typing: (dialogId: string) => void;
  /** Debounced; only moves forward. */
  markRead: (dialogId: string, seq: number) => void;
  /** Edits, deletes (for everyone) or reacts to a message: shown at once, placed by the server. */
  change: (dialogId: string, change: TChangeInput) => void;
  /** Sends a reply to a message of the dialog. */
  reply: (dialogId: string, replyTo: string, text: string) => void;
  /** Makes sure the message at `seq` is held (loads the history around it when it is not). */
  loadAround: (dialogId: string, seq: number) => Promise<void>;
  /** Replaces the users whose presence this tab follows (answers arrive as `presence` events). */
  watchPresence: (userIds: string[]) => void;
};
