/**
 * Snowflake ids: 41 bits of milliseconds since SNOWFLAKE_EPOCH_MS, 14 bits of worker id, 8 bits of
 * sequence. 14/8 rather than Twitter's 10/12: at Parley's scale the fleet of minting processes
 * (API instances, serverless ones included) outgrows 1,024 leases long before one process needs more
 * than 256 ids per millisecond (docs/capacity.md). The top bit stays 0, so every id is < 2^63 (direct-dialog ids use bit 63, see
 * docs/TEAM-CONTRACTS.md). Ids are decimal strings: a JS number cannot hold them exactly.
 */

/** 2025-01-01T00:00:00Z: a recent epoch gives the 41-bit clock ~69 years of room. */
export const SNOWFLAKE_EPOCH_MS = Date.UTC(2025, 0, 1);
export const WORKER_ID_BITS = 14;
export const SEQUENCE_BITS = 8;
export const MAX_WORKER_ID = (1 << WORKER_ID_BITS) - 1;
export const MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
const TIMESTAMP_BITS = 41;
const MAX_TIMESTAMP = 2 ** TIMESTAMP_BITS - 1;
const TIMESTAMP_SHIFT = BigInt(WORKER_ID_BITS + SEQUENCE_BITS);
const WORKER_SHIFT = BigInt(SEQUENCE_BITS);

/** Default bound on how long nextId() busy-waits for a clock that stepped back (or a full ms). */
export const DEFAULT_MAX_CLOCK_WAIT_MS = 5;

export type Clock = () => number;

export type SnowflakeOptions = {
  /** Wall clock in ms since the Unix epoch. Injectable so tests can step it backwards. */
  clock?: Clock;
  /** How long to wait for the clock to catch up before refusing to mint. */
  maxClockWaitMs?: number;
  /**
   * Ids minted by a previous holder of this worker id have timestamps up to this ms (Unix epoch);
   * this generator only mints strictly later ones, so a worker id handed over never repeats an id.
   */
  notBeforeMs?: number;
  /**
   * Real time source used only to bound the waits; separate from `clock` so a frozen fake clock
   * makes nextId() throw instead of spinning forever.
   */
  monotonic?: () => number;
};

export class ClockMovedBackwardsError extends Error {
  constructor(
    readonly lastMs: number,
    readonly nowMs: number,
  ) {
    super(
      `snowflake: clock is ${lastMs - nowMs} ms behind the last id minted; refusing to mint rather than repeat ids`,
    );
    this.name = "ClockMovedBackwardsError";
  }
}

/** How long past the wait bound a wall clock may stand still before it counts as frozen. */
const FROZEN_CLOCK_SLACK_MS = 100;

export class Snowflake {
  readonly workerId: number;
  private readonly clock: Clock;
  private readonly monotonic: () => number;
  private readonly maxClockWaitMs: number;
  /** Last timestamp used, in ms since SNOWFLAKE_EPOCH_MS. */
  private lastTimestamp: number;
  private sequence: number;
  /** (timestamp << 22 | worker << 12) for lastTimestamp, so one mint is one BigInt add. */
  private prefix: bigint;

  constructor(workerId: number, options: SnowflakeOptions = {}) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
      throw new RangeError(
        `snowflake: worker id must be an integer in 0..${MAX_WORKER_ID} (got ${workerId})`,
      );
    }
    this.workerId = workerId;
    this.clock = options.clock ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.maxClockWaitMs = options.maxClockWaitMs ?? DEFAULT_MAX_CLOCK_WAIT_MS;
    // Start "full" at the floor so the first id is strictly after it.
    this.lastTimestamp = options.notBeforeMs === undefined ? -1 : options.notBeforeMs - SNOWFLAKE_EPOCH_MS;
    this.sequence = MAX_SEQUENCE;
    this.prefix = 0n;
  }

  nextId(): string {
    let now = this.readTimestamp();
    if (now < this.lastTimestamp) now = this.waitUntilAtLeast(this.lastTimestamp, now);
    if (now === this.lastTimestamp) {
      if (this.sequence < MAX_SEQUENCE) {
        this.sequence += 1;
        return (this.prefix + BigInt(this.sequence)).toString();
      }
      // MAX_SEQUENCE + 1 ids in this millisecond already: the next id belongs to the next one.
      now = this.waitUntilAtLeast(this.lastTimestamp + 1, now);
    }
    this.lastTimestamp = now;
    this.sequence = 0;
    this.prefix = (BigInt(now) << TIMESTAMP_SHIFT) | (BigInt(this.workerId) << WORKER_SHIFT);
    return this.prefix.toString();
  }

  /** Timestamp (ms since the Unix epoch) of the last id minted, or undefined before the first. */
  lastMintedAtMs(): number | undefined {
    return this.lastTimestamp < 0 ? undefined : this.lastTimestamp + SNOWFLAKE_EPOCH_MS;
  }

  private readTimestamp(): number {
    const now = Math.floor(this.clock()) - SNOWFLAKE_EPOCH_MS;
    if (now < 0 || now > MAX_TIMESTAMP) {
      throw new RangeError(
        `snowflake: clock reads ${new Date(now + SNOWFLAKE_EPOCH_MS).toISOString()}, outside the id range`,
      );
    }
    return now;
  }

  /**
   * Busy-waits (nextId is synchronous: IdGenerator.nextId returns a string) until the clock reaches
   * `target`. Bounded by real elapsed time so a clock that stepped far back is refused, not waited out.
   */
  private waitUntilAtLeast(target: number, now: number): number {
    const bound = Math.max(this.maxClockWaitMs, 1);
    if (target - now > bound) {
      throw new ClockMovedBackwardsError(target + SNOWFLAKE_EPOCH_MS, now + SNOWFLAKE_EPOCH_MS);
    }
    // Wall clocks on busy VMs tick coarsely (Date.now() was seen frozen for ~4 ms here while the
    // monotonic clock ran), so allow slack before calling a clock frozen; the step-back bound itself
    // was checked above against `bound`.
    const deadline = this.monotonic() + bound + FROZEN_CLOCK_SLACK_MS;
    let current = now;
    while (current < target) {
      // Deadline first, then the clock: a process descheduled past the deadline reads the clock once
      // more before calling it frozen (it has usually moved on meanwhile).
      const late = this.monotonic() > deadline;
      current = this.readTimestamp();
      if (current >= target) break;
      if (late) throw new ClockMovedBackwardsError(target + SNOWFLAKE_EPOCH_MS, current + SNOWFLAKE_EPOCH_MS);
    }
    return current;
  }
}

export type ParsedSnowflake = { timestampMs: number; workerId: number; sequence: number };

export function parseSnowflake(id: string): ParsedSnowflake {
  if (!/^\d{1,19}$/.test(id)) throw new TypeError(`snowflake: not a decimal id: ${id}`);
  const value = BigInt(id);
  if (value >= 1n << 63n) throw new RangeError(`snowflake: ${id} is >= 2^63, not a snowflake`);
  return {
    timestampMs: Number(value >> TIMESTAMP_SHIFT) + SNOWFLAKE_EPOCH_MS,
    workerId: Number((value >> WORKER_SHIFT) & BigInt(MAX_WORKER_ID)),
    sequence: Number(value & BigInt(MAX_SEQUENCE)),
  };
}

/** When the id was minted, in ms since the Unix epoch (the wire's time format). */
export function snowflakeTimestamp(id: string): number {
  return parseSnowflake(id).timestampMs;
}
