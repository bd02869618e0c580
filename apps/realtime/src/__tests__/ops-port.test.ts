import { afterAll, beforeAll, expect, test } from "bun:test";
import { requireNats } from "@parley/testkit";
import { createTokenMint, type TokenMint } from "../testing/keys";
import {
  type GatewayProcess,
  type NatsProcess,
  startGatewayProcess,
  startNatsServer,
} from "../testing/processes";
import { openProbe } from "../testing/ws-probe";

let nats: NatsProcess;
let gateway: GatewayProcess;
let keys: TokenMint;

beforeAll(async () => {
  await requireNats();
  nats = await startNatsServer();
  keys = await createTokenMint();
  gateway = await startGatewayProcess({ natsUrl: nats.url, publicKeyPem: keys.publicKeyPem });
});

afterAll(async () => {
  await gateway?.kill("SIGKILL");
  await nats?.stop();
});

test("the public port serves /ws and a bare /healthz; metrics and health details only on the ops port", async () => {
  const probe = openProbe(`${gateway.wsUrl}?token=${await keys.mint("7001", "7002")}`);
  await probe.waitFor((f) => f.type === "hello");

  expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
  const publicHealth = await fetch(`${gateway.url}/healthz`);
  expect(publicHealth.status).toBe(200);
  // Nothing about the process's load leaks on the port a balancer exposes.
  expect(await publicHealth.text()).not.toContain("sockets");

  expect(gateway.metricsUrl).not.toBe(gateway.url);
  const metrics = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
  expect(metrics).toMatch(/^realtime_sockets 1$/m);
  const details = (await (await fetch(`${gateway.metricsUrl}/healthz`)).json()) as Record<string, unknown>;
  expect(details).toMatchObject({ ok: true, sockets: 1 });
  // The ops listener is not a second WebSocket entry point.
  expect((await fetch(`${gateway.metricsUrl}/ws`)).status).toBe(404);
  probe.ws.close();
});
