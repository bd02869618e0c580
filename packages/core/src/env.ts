import {
  BIG_GROUP_FANOUT_GRACE_MS,
  BIG_GROUP_MIN_MEMBERS,
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  DEFAULT_REDIS_URL,
  type EnvSource,
  parseEnv,
} from "@parley/protocol";
import { z } from "zod";
import {
  DEFAULT_GROUP_CREATE_RATE_LIMIT,
  DEFAULT_LOOKUP_RATE_LIMIT,
  DEFAULT_MEMBER_ADD_RATE_LIMIT,
  DEFAULT_PROFILE_RATE_LIMIT,
  DEFAULT_READ_RATE_LIMIT,
  DEFAULT_SEND_RATE_LIMIT,
  DEFAULT_TYPING_RATE_LIMIT,
} from "./options";

const ZCoreEnv = z.object({
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  NATS_URL: z.string().default(DEFAULT_NATS_URL),
  REDIS_URL: z.string().default(DEFAULT_REDIS_URL),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /** Connections of the send path's own pool (mysql2 only); defaults to DB_POOL_SIZE. */
  DB_SEND_POOL_SIZE: z.coerce.number().int().min(1).max(500).optional(),
  /** Per-client budget for dialog.sync / history / changes, shared across processes. */
  READ_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(120),
  READ_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(10_000),
  SEND_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
  /** The same budgets across all clients of one user (more devices do not buy more). */
  READ_RATE_LIMIT_USER_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_READ_RATE_LIMIT.perUserMax ?? 180),
  TYPING_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_TYPING_RATE_LIMIT.max),
  TYPING_RATE_LIMIT_USER_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_TYPING_RATE_LIMIT.perUserMax ?? 40),
  SEND_RATE_LIMIT_USER_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_SEND_RATE_LIMIT.perUserMax ?? 300),
  SEND_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(10_000),
  /** user.byHandle budget per client, per user (all its clients), and their window. */
  LOOKUP_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_LOOKUP_RATE_LIMIT.perClientMax),
  LOOKUP_RATE_LIMIT_USER_MAX: z.coerce.number().int().min(1).default(DEFAULT_LOOKUP_RATE_LIMIT.perUserMax),
  LOOKUP_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).default(DEFAULT_LOOKUP_RATE_LIMIT.windowMs),
  /** user.byIds calls per client and window. */
  PROFILE_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_PROFILE_RATE_LIMIT.max),
  PROFILE_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(DEFAULT_PROFILE_RATE_LIMIT.windowMs),
  /** Groups a user creates per window (all its clients). */
  GROUP_CREATE_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_GROUP_CREATE_RATE_LIMIT.max),
  GROUP_CREATE_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(DEFAULT_GROUP_CREATE_RATE_LIMIT.windowMs),
  /** Ids a user puts into dialogs per window (createGroup members, addMembers, openDirect). */
  MEMBER_ADD_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_MEMBER_ADD_RATE_LIMIT.max),
  MEMBER_ADD_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(DEFAULT_MEMBER_ADD_RATE_LIMIT.windowMs),
  /** How long a pipelined send whose predecessor has not arrived waits before it is refused. */
  CLIENT_SEQ_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(2_000),
  /** Groups with at least this many members publish each message once on chat.dialog.<id>. */
  BIG_GROUP_MIN_MEMBERS: z.coerce.number().int().min(2).default(BIG_GROUP_MIN_MEMBERS),
  /**
   * Per-member publishes continue this long after a group becomes big. Below the realtime token
   * life (60 s) a socket holding a token minted before the switch would miss messages.
   */
  BIG_GROUP_FANOUT_GRACE_MS: z.coerce.number().int().min(0).default(BIG_GROUP_FANOUT_GRACE_MS),
});

export type CoreEnv = z.infer<typeof ZCoreEnv>;

/**
 * The API process's environment: where the stores are and the budgets of the domain services.
 * Validated at start-up; a bad variable stops the process with one line naming it.
 */
export function readCoreEnv(source: EnvSource = process.env): CoreEnv {
  return parseEnv(ZCoreEnv, source, "api");
}
