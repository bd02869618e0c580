import type { TMessage, TServerFrame } from "@parley/protocol";
import type { ApiError, SendAck } from "./api";
import { BigGroupJoins } from "./big-groups";
import { CatchUp } from "./catch-up";
import { RealtimeConnection } from "./connection";
import { DialogStates } from "./dialog-states";
import { DialogSync } from "./dialog-sync";
import { type ChatEngineOptions, type EmitEngineEvent, ENGINE_DEFAULTS } from "./engine-types";
import { FailedSends } from "./failed-sends";
import { GapFiller } from "./gap-filler";
import { GroupInfoRefresh } from "./group-info-refresh";
import { OutgoingJournal } from "./outgoing-journal";
import { PresenceWatch } from "./presence-watch";
import { ProfileRefresh } from "./profile-refresh";
import { ProfileVersions } from "./profile-versions";
import { DeliveredReports, ReadReports } from "./read-reports";
import { Receipts } from "./receipts";
import type { OutgoingItem } from "./send-queue";
import { SendQueues } from "./send-queues";
import { MemoryStore } from "./store";

/** The engine's parts, each with one job; ChatEngine is the façade over them. */
export type EngineParts = {
  connection: RealtimeConnection;
  states: DialogStates;
  journal: OutgoingJournal;
  receipts: Receipts;
  failedSends: FailedSends;
  queues: SendQueues;
  dialogSync: DialogSync;
  gaps: GapFiller;
  catchUps: CatchUp;
  bigGroups: BigGroupJoins;
  presence: PresenceWatch;
  profiles: ProfileVersions;
  profileRefresh: ProfileRefresh;
  delivered: DeliveredReports;
  reads: ReadReports;
};

/** What the façade handles itself: frames, confirmed messages and the outcome of sends. */
export type EngineHooks = {
  emit: EmitEngineEvent;
  onFrame: (frame: TServerFrame) => void;
  onConfirmed: (dialogId: string, messages: readonly TMessage[]) => void;
  onAck: (item: OutgoingItem, ack: SendAck) => void;
  onFailed: (item: OutgoingItem, error: ApiError) => void;
  isStarted: () => boolean;
  isStopped: () => boolean;
};

/** Builds the parts and wires them to each other and to the façade's hooks. */
export function assembleEngineParts(options: ChatEngineOptions, hooks: EngineHooks): EngineParts {
  const { api } = options;
  const { emit } = hooks;
  const store = options.store ?? new MemoryStore();
  const storeError = (error: unknown) => emit("error", { where: "store", error });
  const connection = new RealtimeConnection({
    url: options.realtimeUrl,
    getToken: () => api.realtimeToken(),
    WebSocketImpl: options.WebSocketImpl,
    backoff: options.backoff,
    refreshLeadMs: options.refreshLeadMs,
    onOpen: () => {
      catchUps.heard();
      presence.onOpen();
      void catchUps.run();
      void profileRefresh.run();
    },
    onFrame: hooks.onFrame,
    onState: (state, detail) => emit("connection", { state, ...detail }),
  });
  const states: DialogStates = new DialogStates(store, {
    liveAckedOrder: (dialogId) => queues.get(dialogId)?.lastAckedOrder,
    onError: storeError,
    viewerId: options.userId,
  });
  const timeline = (dialogId: string) => states.timeline(dialogId);
  const journal = new OutgoingJournal(store, storeError);
  const failedSends = new FailedSends((failed) => {
    void journal.saveFailed(failed.item, failed.error, failed.anchorSeq);
  });
  const queues = new SendQueues({
    api,
    clientId: options.clientId,
    window: options.sendWindow ?? ENGINE_DEFAULTS.sendWindow,
    states,
    journal,
    failedSends,
    onAck: hooks.onAck,
    onFailed: hooks.onFailed,
  });
  const dialogSync = new DialogSync({
    api,
    timeline,
    onConfirmed: hooks.onConfirmed,
    emit,
    isRunning: () => !hooks.isStopped() && connection.state !== "stopped",
    pageSize: options.syncPageSize ?? ENGINE_DEFAULTS.syncPageSize,
    maxCatchUp: options.maxCatchUp ?? ENGINE_DEFAULTS.maxCatchUp,
    backoff: options.backoff,
  });
  const profiles = new ProfileVersions();
  const catchUps: CatchUp = new CatchUp({
    api,
    timeline,
    dialogSync,
    groupInfos: new GroupInfoRefresh(api, profiles, emit),
    emit,
    mayRetry: () => hooks.isStarted() && connection.state !== "stopped",
    hasUnlistedBigDialogs: () => connection.hasUnlistedBigDialogs,
    quietCheckMs: options.quietCheckMs ?? ENGINE_DEFAULTS.quietCheckMs,
    unlistedPollMs: options.unlistedBigDialogsPollMs ?? ENGINE_DEFAULTS.unlistedBigDialogsPollMs,
  });
  const profileRefresh: ProfileRefresh = new ProfileRefresh(api, profiles, emit);
  const presence: PresenceWatch = new PresenceWatch(
    api,
    (frame) => connection.send(frame),
    (error) => emit("error", { where: "presence", error }),
  );
  return {
    connection,
    states,
    journal,
    receipts: new Receipts(),
    failedSends,
    queues,
    dialogSync,
    gaps: new GapFiller(dialogSync, timeline),
    catchUps,
    bigGroups: new BigGroupJoins(connection, dialogSync),
    presence,
    profiles,
    profileRefresh,
    delivered: new DeliveredReports(
      (input) => api.markDelivered(input),
      (dialogId) => states.timeline(dialogId).top(),
      (error) => emit("error", { where: "markDelivered", error }),
    ),
    reads: new ReadReports(
      (input) => api.markRead(input),
      options.markReadDebounceMs ?? ENGINE_DEFAULTS.markReadDebounceMs,
      (error) => emit("error", { where: "markRead", error }),
    ),
  };
}
