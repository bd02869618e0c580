import { expect, test } from "bun:test";
import { createRng } from "./prng";

test("one seed, one sequence; forks are stable and independent", () => {
  const a = createRng(42);
  const b = createRng(42);
  const drawsA = Array.from({ length: 5 }, () => a.int(0, 1_000));
  expect(Array.from({ length: 5 }, () => b.int(0, 1_000))).toEqual(drawsA);
  expect(createRng(42).fork("x").next()).toBe(createRng(42).fork("x").next());
  expect(createRng(42).fork("x").next()).not.toBe(createRng(42).fork("y").next());
  expect(createRng(43).int(0, 1_000_000)).not.toBe(createRng(42).int(0, 1_000_000));
  const shuffled = createRng(7).shuffle([1, 2, 3, 4, 5]);
  expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5]);
});
