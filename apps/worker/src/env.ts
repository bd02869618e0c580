import { hostname } from "node:os";
import {
  BIG_GROUP_FANOUT_GRACE_MS,
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  type EnvSource,
  parseEnv,
} from "@parley/protocol";
import { z } from "zod";

const ZWorkerEnv = z.object({
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  NATS_URL: z.string().default(DEFAULT_NATS_URL),
  /** The shards this host may serve (comma-separated). Here: the single local database, "0". */
  WORKER_SHARDS: z
    .string()
    .default("0")
    .transform((value) => value.split(",").map((shard) => shard.trim()))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "shard names: letters, digits, - and _")).min(1)),
  WORKER_LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  WORKER_TICK_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** Outbox rows younger than this are still their sender's to publish. */
  RELAY_AFTER_MS: z.coerce.number().int().min(0).default(1_500),
  /** Pending messages younger than this may still be in a live send. */
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
  /** Must equal the API's: the relay picks the dialog subject vs. per-member publishes as a send does. */
  BIG_GROUP_FANOUT_GRACE_MS: z.coerce.number().int().min(0).default(BIG_GROUP_FANOUT_GRACE_MS),
  /** How often each shard's cleanup of dead sessions, tokens and clients runs (sooner while a backlog remains). */
  CLEANUP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** Rows per cleanup batch: one short delete each, so locks stay brief. */
  CLEANUP_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  /**
   * Days an expired session or refresh token is kept past its expiry, and a browser tab past its
   * revocation or its last token's lapse. At least a day: far beyond clock skew and the refresh grace.
   */
  CLEANUP_TOKEN_RETENTION_DAYS: z.coerce.number().min(1).max(3_650).default(7),
  /** Days a revoked phone, browser or CLI stays on the devices page before it is deleted. */
  CLEANUP_DEVICE_RETENTION_DAYS: z.coerce.number().min(1).max(3_650).default(90),
  WORKER_HOLDER: z.string().min(1).max(128).optional(),
});

export type WorkerEnv = z.infer<typeof ZWorkerEnv> & { holder: string };

/** Validated at start-up; a bad variable stops the process with one line naming it. */
export function readWorkerEnv(source: EnvSource = process.env): WorkerEnv {
  const env = parseEnv(ZWorkerEnv, source, "worker");
  const holder =
    env.WORKER_HOLDER ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  return { ...env, holder };
}
