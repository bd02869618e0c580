import { expect, test } from "bun:test";
import { createRequestGate, type RequestGateOptions } from "./request-gate";

const OPTIONS: RequestGateOptions = {
  ratePerSecond: 10,
  burst: 5,
  maxHoldMs: 1_000,
  maxHeldPerCaller: 3,
  maxPenaltyMs: 10_000,
};

function gateAt(options: Partial<RequestGateOptions> = {}) {
  let clock = 0;
  const gate = createRequestGate({ ...OPTIONS, ...options }, () => clock);
  return {
    gate,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

test("a burst passes at once; beyond it, requests wait their turn at the sustained rate", () => {
  const { gate } = gateAt();
  const waits = Array.from({ length: 8 }, () => gate.admit("a", ["x.y"]));
  expect(waits.slice(0, 5).map((v) => v.waitMs)).toEqual([0, 0, 0, 0, 0]);
  expect(waits.slice(5).map((v) => [v.kind, v.waitMs])).toEqual([
    ["pass", 100],
    ["pass", 200],
    ["pass", 300],
  ]);
  gate.stop();
});

test("held requests are bounded per caller; over the bound, refused at once", () => {
  const { gate } = gateAt();
  for (let i = 0; i < 5; i++) gate.admit("a", ["x"]);
  const held = [gate.admit("a", ["x"]), gate.admit("a", ["x"]), gate.admit("a", ["x"])];
  expect(held.every((v) => v.kind === "pass" && v.waitMs > 0)).toBe(true);
  const over = gate.admit("a", ["x"]);
  expect(over).toMatchObject({ kind: "refuse", waitMs: 0 });
  held[0]?.release();
  expect(gate.admit("a", ["x"]).kind).toBe("pass");
  gate.stop();
});

test("a batch costs one per call", () => {
  const { gate } = gateAt();
  expect(gate.admit("a", ["p", "q", "r", "s", "t"]).waitMs).toBe(0);
  expect(gate.admit("a", ["p"]).waitMs).toBe(100);
  gate.stop();
});

test("callers are counted apart", () => {
  const { gate } = gateAt();
  for (let i = 0; i < 5; i++) gate.admit("a", ["x"]);
  expect(gate.admit("b", ["x"]).waitMs).toBe(0);
  gate.stop();
});

test("after a refusal inside the API, the same call waits for the window; others do not", () => {
  const { gate, advance } = gateAt();
  gate.admit("a", ["dialog.typing"]);
  gate.refused("a", "dialog.typing", 600);
  const held = gate.admit("a", ["dialog.typing"]);
  expect(held).toMatchObject({ kind: "pass", waitMs: 600 });
  held.release();
  expect(gate.admit("a", ["message.send"]).waitMs).toBe(0);
  expect(gate.admit("b", ["dialog.typing"]).waitMs).toBe(0);
  advance(700);
  expect(gate.admit("a", ["dialog.typing"]).waitMs).toBe(0);
  gate.stop();
});

test("a refusal further away than the hold is answered after the hold, with the rest as retry-after", () => {
  const { gate } = gateAt();
  gate.admit("a", ["dialog.typing"]);
  gate.refused("a", "dialog.typing", 4_000);
  expect(gate.admit("a", ["dialog.typing"])).toMatchObject({
    kind: "refuse",
    waitMs: 1_000,
    retryAfterMs: 3_000,
  });
  gate.refused("a", "dialog.typing", 60_000);
  const capped = gate.admit("a", ["dialog.typing"]);
  expect(capped.kind === "refuse" && capped.retryAfterMs).toBe(9_000);
  gate.stop();
});
