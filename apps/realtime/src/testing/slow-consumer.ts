import { expect } from "bun:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { CLOSE_SLOW_CONSUMER } from "@parley/protocol";
import type { GatewayProcess } from "./processes";
import { openRawWs } from "./raw-ws";

/** One numeric sample from the gateway's /metrics (NaN when the name is missing). */
export async function readMetric(gateway: GatewayProcess, name: string): Promise<number> {
  const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1]);
}

/**
 * Opens a socket with `token` that stops reading after hello, publishes `payload` on `subject` until
 * the gateway counts a slow-consumer close, and checks the socket ends with CLOSE_SLOW_CONSUMER
 * (or 1006: the close frame may be cut off behind the backlog).
 */
export async function expectSlowConsumerClose(options: {
  gateway: GatewayProcess;
  token: string;
  nc: NatsConnection;
  subject: string;
  payload: string;
}): Promise<void> {
  const { gateway, nc } = options;
  let code = 0;
  let hello = false;
  const stalled = openRawWs({
    host: "127.0.0.1",
    port: gateway.port,
    path: `/ws?token=${options.token}`,
    onOpen: () => {},
    onText: (text) => {
      if (text.startsWith('{"type":"hello"')) hello = true;
    },
    onClose: (closeCode) => {
      code = closeCode;
    },
  });
  const deadline = Date.now() + 5_000;
  while (!hello && Date.now() < deadline) await Bun.sleep(10);
  expect(hello).toBe(true);
  stalled.socket.pause();
  const closes = () => readMetric(gateway, "realtime_slow_consumer_closes_total");
  const before = await closes();
  for (let i = 0; i < 6_000 && (i % 500 !== 0 || (await closes()) === before); i++) {
    nc.publish(options.subject, options.payload);
    if (i % 100 === 0) await nc.flush();
  }
  await nc.flush();
  const waitUntil = Date.now() + 5_000;
  while ((await closes()) === before && Date.now() < waitUntil) await Bun.sleep(50);
  expect(await closes()).toBeGreaterThan(before);
  // Reading again drains the backlog down to the close frame the gateway queued behind it.
  stalled.socket.resume();
  const closeDeadline = Date.now() + 10_000;
  while (code === 0 && Date.now() < closeDeadline) await Bun.sleep(20);
  expect([CLOSE_SLOW_CONSUMER, 1006]).toContain(code);
}
