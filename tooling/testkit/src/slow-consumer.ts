import { expect } from "bun:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { CLOSE_SLOW_CONSUMER } from "@parley/protocol";
import { type GatewayProcess, readMetric } from "./gateway";
import { openRawWs } from "./raw-ws";
import { waitUntil } from "./wait";

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
  await waitUntil(() => hello, "hello on the socket that will stall", { timeoutMs: 5_000 });
  stalled.socket.pause();
  const closes = () => readMetric(gateway, "realtime_slow_consumer_closes_total");
  const before = await closes();
  for (let i = 0; i < 6_000 && (i % 500 !== 0 || (await closes()) === before); i++) {
    nc.publish(options.subject, options.payload);
    if (i % 100 === 0) await nc.flush();
  }
  await nc.flush();
  await waitUntil(async () => (await closes()) > before, "a slow-consumer close counted", {
    timeoutMs: 5_000,
  });
  // Reading again drains the backlog down to the close frame the gateway queued behind it.
  stalled.socket.resume();
  await waitUntil(() => code !== 0, "the stalled socket closed", { timeoutMs: 10_000 });
  expect([CLOSE_SLOW_CONSUMER, 1006]).toContain(code);
}
