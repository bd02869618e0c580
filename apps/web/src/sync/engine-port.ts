import type { TUserEvent } from "@parley/protocol";
import type { ConnectionState, TimelineEntry } from "./types";

export type TimelineSnapshot = { entries: TimelineEntry[]; hasOlder: boolean; loadingOlder: boolean };

/**
 * What the UI needs from the sync engine. `create-engine.ts` adapts @parley/client to it; the app
 * holds no sync logic of its own (ordering, acks, dedup, gap fill and catch-up live in the engine).
 */
export type EnginePort = {
  start: () => void;
  stop: () => void;
  connection: () => ConnectionState;
  onConnection: (listener: () => void) => () => void;
  /** Every event after the engine applied it (messages in seq order, receipts, dialog, typing). */
  onEvent: (listener: (event: TUserEvent) => void) => () => void;
  /** This client was revoked or its session ended: sign out. */
  onSignedOut: (listener: () => void) => () => void;
  timeline: (dialogId: string) => TimelineSnapshot;
  onTimeline: (dialogId: string, listener: () => void) => () => void;
  loadOlder: (dialogId: string) => void;
  send: (dialogId: string, text: string) => void;
  typing: (dialogId: string) => void;
  markRead: (dialogId: string, seq: number) => void;
};
