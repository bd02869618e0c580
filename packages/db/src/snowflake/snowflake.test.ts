import { describe, expect, test } from "bun:test";
import {
  ClockMovedBackwardsError,
  MAX_SEQUENCE,
  parseSnowflake,
  SNOWFLAKE_EPOCH_MS,
  Snowflake,
  snowflakeTimestamp,
} from "./snowflake";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

/** A clock the test moves by hand; `tick` advances it on every read (for waits that must end). */
function fakeClock(start = T0) {
  const state = { now: start, tick: 0, reads: 0 };
  const clock = () => {
    state.reads += 1;
    const value = state.now;
    state.now += state.tick;
    return value;
  };
  return { state, clock };
}

function isStrictlyIncreasing(ids: string[]): boolean {
  for (let i = 1; i < ids.length; i++) {
    const prev = ids[i - 1];
    const cur = ids[i];
    if (prev === undefined || cur === undefined || BigInt(cur) <= BigInt(prev)) return false;
  }
  return true;
}

describe("Snowflake", () => {
  test("ids are unique and strictly increasing, as decimal strings below 2^63", () => {
    const gen = new Snowflake(7);
    const ids = Array.from({ length: 200_000 }, () => gen.nextId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(isStrictlyIncreasing(ids)).toBe(true);
    for (const id of [ids[0], ids.at(-1)]) {
      expect(id).toMatch(/^\d+$/);
      expect(BigInt(id ?? "x") < 1n << 63n).toBe(true);
    }
  });

  test("packs time, worker id and sequence into the documented bits", () => {
    const { clock } = fakeClock();
    const gen = new Snowflake(16_383, { clock });
    const first = gen.nextId();
    const second = gen.nextId();
    expect(parseSnowflake(first)).toEqual({ timestampMs: T0, workerId: 16_383, sequence: 0 });
    expect(parseSnowflake(second)).toEqual({ timestampMs: T0, workerId: 16_383, sequence: 1 });
    // 41 bits of time, 14 of worker id, 8 of sequence (written out, not derived from the constants).
    expect(BigInt(first)).toBe((BigInt(T0 - SNOWFLAKE_EPOCH_MS) << 22n) | (16_383n << 8n));
    expect(snowflakeTimestamp(first)).toBe(T0);
  });

  test("different worker ids never collide at the same instant", () => {
    const { clock } = fakeClock();
    const a = new Snowflake(1, { clock });
    const b = new Snowflake(2, { clock });
    const ids = new Set<string>();
    // A whole millisecond's worth from each (the clock is frozen).
    for (let i = 0; i <= MAX_SEQUENCE; i++) {
      ids.add(a.nextId());
      ids.add(b.nextId());
    }
    expect(ids.size).toBe(2 * (MAX_SEQUENCE + 1));
  });

  test("sequence overflow within one millisecond waits for the next millisecond", () => {
    const { state, clock } = fakeClock();
    const gen = new Snowflake(3, { clock });
    const ids = Array.from({ length: MAX_SEQUENCE + 1 }, () => gen.nextId());
    expect(parseSnowflake(ids.at(-1) ?? "").sequence).toBe(MAX_SEQUENCE);
    // The clock is frozen: the 257th id cannot be minted in this ms and the wait is bounded.
    expect(() => gen.nextId()).toThrow(ClockMovedBackwardsError);
    // Once the clock moves on (it advances while waiting), the next id lands in the next ms.
    state.tick = 0.25;
    const next = gen.nextId();
    expect(parseSnowflake(next)).toEqual({ timestampMs: T0 + 1, workerId: 3, sequence: 0 });
    expect(isStrictlyIncreasing([...ids, next])).toBe(true);
  });

  test("a small clock step backwards is waited out; ids keep increasing", () => {
    const { state, clock } = fakeClock();
    const gen = new Snowflake(5, { clock, maxClockWaitMs: 5 });
    const before = [gen.nextId(), gen.nextId()];
    state.now = T0 - 3; // NTP stepped the clock back 3 ms
    state.tick = 0.5; // ... and time goes on while nextId waits
    const after = gen.nextId();
    expect(isStrictlyIncreasing([...before, after])).toBe(true);
    expect(parseSnowflake(after).timestampMs).toBeGreaterThanOrEqual(T0);
  });

  test("a large clock step backwards is refused, never repeated; minting resumes when the clock catches up", () => {
    const { state, clock } = fakeClock();
    const gen = new Snowflake(5, { clock, maxClockWaitMs: 5 });
    const minted = [gen.nextId(), gen.nextId(), gen.nextId()];
    state.now = T0 - 10_000;
    expect(() => gen.nextId()).toThrow(ClockMovedBackwardsError);
    expect(() => gen.nextId()).toThrow(/behind the last id/);
    state.now = T0; // same ms as the last id: continues the sequence
    minted.push(gen.nextId());
    state.now = T0 + 1;
    minted.push(gen.nextId());
    expect(new Set(minted).size).toBe(minted.length);
    expect(isStrictlyIncreasing(minted)).toBe(true);
  });

  test("notBeforeMs: a worker id taken over mints strictly after the previous holder's ids", () => {
    const { clock } = fakeClock();
    const previous = new Snowflake(9, { clock });
    const old = [previous.nextId(), previous.nextId()];
    const successor = new Snowflake(9, { clock: () => T0, notBeforeMs: T0, maxClockWaitMs: 0 });
    // Same ms as the previous holder: refused instead of reusing sequence numbers 0, 1.
    expect(() => successor.nextId()).toThrow(ClockMovedBackwardsError);
    const later = new Snowflake(9, { clock: () => T0 + 1, notBeforeMs: T0 });
    const id = later.nextId();
    expect(old.includes(id)).toBe(false);
    expect(isStrictlyIncreasing([...old, id])).toBe(true);
  });

  test("rejects worker ids outside 14 bits and ids that are not snowflakes", () => {
    expect(() => new Snowflake(16_384)).toThrow(RangeError);
    expect(() => new Snowflake(-1)).toThrow(RangeError);
    expect(() => new Snowflake(1.5)).toThrow(RangeError);
    expect(() => parseSnowflake("9223372036854775808")).toThrow(RangeError);
    expect(() => parseSnowflake("12a")).toThrow(TypeError);
  });

  test("refuses a clock before the epoch instead of minting a negative time", () => {
    const gen = new Snowflake(1, { clock: () => SNOWFLAKE_EPOCH_MS - 1 });
    expect(() => gen.nextId()).toThrow(RangeError);
  });
});
