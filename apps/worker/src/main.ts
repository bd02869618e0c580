import {
  cleanupDeletedSomething,
  createNatsPublisher,
  type ShardWorker,
  startShardWorker,
} from "@parley/core/jobs";
import { createDb } from "@parley/db";
import { createStorage, readStorageEnv } from "@parley/storage";
import { readWorkerEnv } from "./env";
import { connectPresenceRecorder } from "./presence-recorder";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The long-lived worker: for each shard, the outbox relay, the TCC reconciler and the cleanup of
 * dead sessions, tokens and clients under a fenced lease (one active worker per shard across hosts;
 * the others stand by). SIGTERM / SIGINT stop the loops, release the leases so a standby takes over
 * at once, and close connections.
 */
async function main(): Promise<void> {
  let env: ReturnType<typeof readWorkerEnv>;
  let storageEnv: ReturnType<typeof readStorageEnv>;
  try {
    env = readWorkerEnv();
    storageEnv = readStorageEnv();
  } catch (error) {
    // The message names the process and the variable already.
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const handle = createDb(env.DATABASE_URL, { connectionLimit: 4 });
  const nats = createNatsPublisher(env.NATS_URL, `parley-worker:${env.holder}`);
  const log = (line: string) => console.log(line);
  const workers: ShardWorker[] = env.WORKER_SHARDS.map((shard) =>
    startShardWorker({
      db: handle.db,
      events: nats.events,
      shard,
      holder: env.holder,
      leaseTtlMs: env.WORKER_LEASE_TTL_MS,
      tickMs: env.WORKER_TICK_MS,
      relay: { olderThanMs: env.RELAY_AFTER_MS, bigGroupFanoutGraceMs: env.BIG_GROUP_FANOUT_GRACE_MS },
      reconcile: { olderThanMs: env.RECONCILE_AFTER_MS },
      uploads: { storage: createStorage(storageEnv) },
      cleanup: {
        intervalMs: env.CLEANUP_INTERVAL_MS,
        batchSize: env.CLEANUP_BATCH_SIZE,
        tokenRetentionMs: env.CLEANUP_TOKEN_RETENTION_DAYS * DAY_MS,
        deviceRetentionMs: env.CLEANUP_DEVICE_RETENTION_DAYS * DAY_MS,
      },
      onTick: ({ relay, reconcile, cleanup }) => {
        const moved = relay.published + relay.failed + reconcile.committed + reconcile.failed;
        if (moved > 0) log(`[worker] shard ${shard}: ${JSON.stringify({ relay, reconcile })}`);
        if (cleanup && cleanupDeletedSomething(cleanup)) {
          log(`[worker] shard ${shard}: cleanup ${JSON.stringify(cleanup)}`);
        }
      },
      log,
    }),
  );
  const presence = await connectPresenceRecorder(handle.db, env.NATS_URL); // gateways' last-seen records
  log(`[worker] ${env.holder} serving shards ${env.WORKER_SHARDS.join(",")}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`[worker] ${signal}: stopping`);
    await Promise.all(workers.map((worker) => worker.stop()));
    await presence.stop();
    await nats.close();
    await handle.close();
    log("[worker] stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
