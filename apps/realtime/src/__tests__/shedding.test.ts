/**
 * Under load the gateway sheds typing/presence and keeps delivering messages. Load is made real by
 * freezing the gateway process (SIGSTOP): when it resumes, its event loop is late, exactly as when it
 * is saturated, and whatever NATS sent meanwhile is read in one burst.
 */
import { expect, test } from "bun:test";
import { userSubject } from "@parley/protocol";
import { messageEvent } from "@parley/testkit/events";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";
import { waitUntil } from "@parley/testkit/wait";
import type { WsProbe } from "@parley/testkit/ws-probe";

const SWEEP_MS = 1_000;
const FREEZE_MS = 1_500; // every freeze makes the next sweep ≥ 500 ms late, over SHED_LAG_MS

const fx = useGatewayFixture({ env: { SWEEP_MS: String(SWEEP_MS), SHED_LAG_MS: "200" } });
const { metric } = fx;

/** Freezes the gateway for `ms` while `during` runs; the first sweep after it is late. */
async function freeze(ms: number, during: () => Promise<void> = async () => {}): Promise<void> {
  fx.gateway.proc.kill("SIGSTOP");
  try {
    await during();
    await Bun.sleep(ms);
  } finally {
    fx.gateway.proc.kill("SIGCONT");
  }
}

const typing = (dialogId: string) =>
  JSON.stringify({ type: "typing", dialogId, userId: "5", expiresAt: Date.now() + 5_000 });

const isTyping = (dialogId: string) => (frame: WsProbe["frames"][number]) =>
  frame.type === "event" && frame.event.type === "typing" && frame.event.dialogId === dialogId;

test("a lagging gateway sheds typing but delivers messages, and stops shedding once it keeps up", async () => {
  const { probe, userId } = await fx.connect();

  // Not loaded: typing goes through.
  fx.nc.publish(userSubject(userId), typing("1"));
  await probe.waitFor(isTyping("1"));
  expect(await metric("realtime_shedding")).toBe(0);

  // Two late sweeps in a row switch shedding on (one late sweep is a hiccup, not load).
  for (let attempt = 0; attempt < 5 && (await metric("realtime_shedding")) === 0; attempt++) {
    await freeze(FREEZE_MS);
    await Bun.sleep(50);
  }
  expect(await metric("realtime_shedding")).toBe(1);
  const shedBefore = await metric("realtime_shed_total");

  // Events that arrive while the gateway is still behind: the message is delivered, typing is not.
  await freeze(FREEZE_MS, async () => {
    fx.nc.publish(userSubject(userId), typing("2"));
    fx.nc.publish(userSubject(userId), JSON.stringify(messageEvent("77", 1, { senderId: userId })));
    await fx.nc.flush();
  });
  await probe.waitFor((frame) => frame.type === "event" && frame.event.type === "message");
  expect(probe.frames.some(isTyping("2"))).toBe(false);
  expect(await metric("realtime_shed_total")).toBeGreaterThan(shedBefore);

  // Sweeps on time again: shedding ends and typing flows.
  await waitUntil(async () => (await metric("realtime_shedding")) === 0, "shedding to end", {
    timeoutMs: 5 * SWEEP_MS,
    intervalMs: 100,
  });
  fx.nc.publish(userSubject(userId), typing("3"));
  await probe.waitFor(isTyping("3"));
  expect(probe.frames.some(isTyping("2"))).toBe(false);
}, 30_000);
