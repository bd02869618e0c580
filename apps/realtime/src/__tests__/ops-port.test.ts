import { expect, test } from "bun:test";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";

const fx = useGatewayFixture();

test("the public port serves /ws and a bare /healthz; metrics and health details only on the ops port", async () => {
  const { probe } = await fx.connect({ userId: "7001", clientId: "7002" });
  const { gateway } = fx;

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
