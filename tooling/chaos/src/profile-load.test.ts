import { describe, expect, test } from "bun:test";
import { emptyFindings } from "./check";
import { reconnectForNames } from "./profile-load";
import type { World } from "./world";

function worldWithSockets(ids: number[]) {
  const cut: number[] = [];
  const proxy = { connections: () => ids.map((id) => ({ id })), cut: (id: number) => cut.push(id) };
  return { world: { gateways: [{ proxy }] } as unknown as World, cut };
}

describe("the reconnect bound for users' names", () => {
  test("only stale users' names: every socket is cut once", () => {
    const { world, cut } = worldWithSockets([1, 2]);
    const findings = { ...emptyFindings(), nameMismatches: 2, userNameMismatches: 2 };
    expect(reconnectForNames(world, findings)).toBe(true);
    expect(cut).toEqual([1, 2]);
  });

  test("a stale group title or any other violation is judged as it is: no reconnect", () => {
    const { world, cut } = worldWithSockets([1]);
    expect(reconnectForNames(world, { ...emptyFindings(), nameMismatches: 2, userNameMismatches: 1 })).toBe(
      false,
    );
    expect(
      reconnectForNames(world, { ...emptyFindings(), nameMismatches: 1, userNameMismatches: 1, lost: 1 }),
    ).toBe(false);
    expect(reconnectForNames(world, emptyFindings())).toBe(false);
    expect(cut).toEqual([]);
  });
});
