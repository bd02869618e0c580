export {
  createLeasedIdGenerator,
  DEFAULT_LEASE_TTL_MS,
  type LeasedIdGenerator,
  type LeasedIdGeneratorOptions,
  NoFreeWorkerIdError,
  SNOWFLAKE_LEASE_PREFIX,
  WorkerIdLeaseError,
} from "./leased";
export {
  type Clock,
  ClockMovedBackwardsError,
  DEFAULT_MAX_CLOCK_WAIT_MS,
  MAX_SEQUENCE,
  MAX_WORKER_ID,
  type ParsedSnowflake,
  parseSnowflake,
  SEQUENCE_BITS,
  SNOWFLAKE_EPOCH_MS,
  Snowflake,
  type SnowflakeOptions,
  snowflakeTimestamp,
  WORKER_ID_BITS,
} from "./snowflake";
