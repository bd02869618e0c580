/**
 * Under load the gateway sheds typing/presence and keeps delivering messages. Load is made real by
 * freezing the gateway process (SIGSTOP): when it resumes, its event loop is late, exactly as when it
 * is saturated, and whatever NATS sent meanwhile is read in one burst.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { userSubject } from "@parley/protocol";
import { requireNats } from "@parley/testkit";
import { messageEvent } from "../testing/events";
import { createTokenMint, type TokenMint } from "../testing/keys";
import {
  type GatewayProcess,
  type NatsProcess,
  startGatewayProcess,
  startNatsServer,
} from "../testing/processes";
import { openProbe, type WsProbe } from "../testing/ws-probe";

const SWEEP_MS = 1_000;
const FREEZE_MS = 1_500; // every freeze makes the next sweep ≥ 500 ms late, over SHED_LAG_MS

let nats: NatsProcess;
let gateway: GatewayProcess;
let keys: TokenMint;
let nc: NatsConnection;
let probe: WsProbe | undefined;

beforeAll(async () => {
  await requireNats();
  nats = await startNatsServer();
  keys = await createTokenMint();
  gateway = await startGatewayProcess({
    natsUrl: nats.url,
    publicKeyPem: keys.publicKeyPem,
    env: { SWEEP_MS: String(SWEEP_MS), SHED_LAG_MS: "200" },
  });
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  probe?.ws.close();
  if (gateway?.proc.signalCode === null) gateway.proc.kill("SIGCONT");
  await nc?.close();
  await gateway?.kill("SIGKILL");
  await nats?.stop();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
  const match = text.match(new RegExp(`^${name} (\\S+)$`, "m"));
  if (!match?.[1]) throw new Error(`metric ${name} missing`);
  return Number(match[1]);
}

/** Freezes the gateway for `ms` while `during` runs; the first sweep after it is late. */
async function freeze(ms: number, during: () => Promise<void> = async () => {}): Promise<void> {
  gateway.proc.kill("SIGSTOP");
  try {
    await during();
    await Bun.sleep(ms);
  } finally {
    gateway.proc.kill("SIGCONT");
  }
}

const typing = (dialogId: string) =>
  JSON.stringify({ type: "typing", dialogId, userId: "5", expiresAt: Date.now() + 5_000 });

const isTyping = (dialogId: string) => (frame: WsProbe["frames"][number]) =>
  frame.type === "event" && frame.event.type === "typing" && frame.event.dialogId === dialogId;

test("a lagging gateway sheds typing but delivers messages, and stops shedding once it keeps up", async () => {
  const userId = String(BigInt(Date.now()) * 1000n);
  probe = openProbe(`${gateway.wsUrl}?token=${await keys.mint(userId, "42")}`);
  await probe.waitFor((frame) => frame.type === "hello");

  // Not loaded: typing goes through.
  nc.publish(userSubject(userId), typing("1"));
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
    nc.publish(userSubject(userId), typing("2"));
    nc.publish(userSubject(userId), JSON.stringify(messageEvent("77", 1, { senderId: userId })));
    await nc.flush();
  });
  await probe.waitFor((frame) => frame.type === "event" && frame.event.type === "message");
  expect(probe.frames.some(isTyping("2"))).toBe(false);
  expect(await metric("realtime_shed_total")).toBeGreaterThan(shedBefore);

  // Sweeps on time again: shedding ends and typing flows.
  const deadline = Date.now() + 5 * SWEEP_MS;
  while ((await metric("realtime_shedding")) === 1 && Date.now() < deadline) await Bun.sleep(100);
  expect(await metric("realtime_shedding")).toBe(0);
  nc.publish(userSubject(userId), typing("3"));
  await probe.waitFor(isTyping("3"));
  expect(probe.frames.some(isTyping("2"))).toBe(false);
}, 30_000);
