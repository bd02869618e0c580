export { createNatsPublisher, type NatsPublisher } from "../notify/nats-publisher";
export {
  type CleanupOptions,
  type CleanupResult,
  cleanupAuthRows,
  cleanupDeletedSomething,
} from "./cleanup";
export {
  type PendingMessage,
  type ReconcileOptions,
  type ReconcileResult,
  reconcilePending,
  settlePendingMessage,
} from "./reconciler";
export { type RelayOptions, type RelayResult, relayOutbox } from "./relay";
export { leaseName, type ShardWorker, type ShardWorkerOptions, startShardWorker } from "./shard-worker";
