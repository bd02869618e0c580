import type { TrpcClient } from "~/trpc/react";
import type { Me } from "~/trpc/types";
import type { EnginePort, TimelineSnapshot } from "./engine-port";

export type CreateEngineOptions = { trpcClient: TrpcClient; realtimeUrl: string; viewer: Me };

const EMPTY: TimelineSnapshot = { entries: [], hasOlder: false, loadingOlder: false };

/** Adapts @parley/client's engine to the UI's port (placeholder until the engine lands). */
export function createEngine(_options: CreateEngineOptions): EnginePort {
  const none = () => () => undefined;
  return {
    start: () => undefined,
    stop: () => undefined,
    connection: () => "connecting",
    onConnection: none,
    onEvent: none,
    onSignedOut: none,
    timeline: () => EMPTY,
    onTimeline: none,
    loadOlder: () => undefined,
    send: () => undefined,
    typing: () => undefined,
    markRead: () => undefined,
  };
}
