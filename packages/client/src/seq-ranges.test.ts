import { describe, expect, test } from "bun:test";
import { SeqRanges } from "./seq-ranges";

describe("SeqRanges", () => {
  test("merges adjacent and overlapping runs", () => {
    const ranges = new SeqRanges();
    ranges.add(1, 3);
    ranges.add(7, 9);
    ranges.add(4, 4);
    expect(ranges.toJSON()).toEqual([
      [1, 4],
      [7, 9],
    ]);
    ranges.add(5, 6);
    expect(ranges.toJSON()).toEqual([[1, 9]]);
    ranges.add(20, 25);
    ranges.add(2, 22);
    expect(ranges.toJSON()).toEqual([[1, 25]]);
  });

  test("top, has and holes", () => {
    const ranges = new SeqRanges([
      [900, 950],
      [1, 40],
    ]);
    expect(ranges.top()).toBe(950);
    expect(ranges.has(40)).toBe(true);
    expect(ranges.has(41)).toBe(false);
    expect(ranges.holes()).toEqual([[41, 899]]);
    expect(new SeqRanges([[5, 6]]).holes()).toEqual([[1, 4]]);
    expect(new SeqRanges().top()).toBe(0);
  });
});
