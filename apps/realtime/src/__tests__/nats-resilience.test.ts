import { afterAll, describe, expect, test } from "bun:test";
import type { ChatEngine, SignedInClient } from "@parley/client";
import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { freePort } from "@parley/testkit/ports";
import { waitUntil } from "@parley/testkit/wait";
import { type Stack, startStack } from "./engine-stack";
import { caughtUp, confirmed, expectSameTimeline, recordEvents, sendSeries } from "./scenario";

const cleanups: (() => Promise<void>)[] = [];
const suffix = Date.now().toString(36).slice(-5);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function startEngines(engines: ChatEngine[]) {
  await Promise.all(
    engines.map(async (engine) => {
      const ready = caughtUp(engine);
      await engine.start();
      await ready;
    }),
  );
}

async function groupOf(stack: Stack, owner: SignedInClient, members: SignedInClient[]): Promise<string> {
  const view = (await stack.call(owner, "mutation", "dialog.createGroup", {
    title: "resilience",
    memberIds: members.map((m) => m.userId),
  })) as { id: string };
  return view.id;
}

/** Three users, four clients over both gateways; returns the engines and the dialog. */
async function setup(stack: Stack, tag: string) {
  const [gw1, gw2] = stack.gateways as [Stack["gateways"][number], Stack["gateways"][number]];
  const ann = await stack.signUp(`ann${tag}${suffix}`);
  const annPhone = await stack.signIn(ann.handle);
  const ben = await stack.signUp(`ben${tag}${suffix}`);
  const cat = await stack.signUp(`cat${tag}${suffix}`);
  const dialogId = await groupOf(stack, ann, [ben, cat]);
  const engines = [
    stack.engine(ann, gw1),
    stack.engine(annPhone, gw2),
    stack.engine(ben, gw2),
    stack.engine(cat, gw1),
  ] as [ChatEngine, ChatEngine, ChatEngine, ChatEngine];
  const events = engines.map(recordEvents);
  await startEngines(engines);
  return { engines, events, dialogId };
}

describe("NATS failures", () => {
  test("NATS restarted mid-stream: every client ends with every message once, in order (resync)", async () => {
    const nats = await startNatsServer();
    cleanups.push(() => nats.stop());
    const stack = await startStack({
      label: "rtnatsrs",
      apiNatsUrl: nats.url,
      gatewayNatsUrls: [nats.url, nats.url],
    });
    cleanups.push(() => stack.stop());
    const { engines, events, dialogId } = await setup(stack, "r");
    const [, , benEngine, catEngine] = engines;
    const resyncs: number[] = [];
    for (const [index, engine] of engines.entries()) {
      engine.on("connection", ({ state }) => {
        if (state === "caught-up") resyncs[index] = (resyncs[index] ?? 0) + 1;
      });
    }
    const streams = Promise.all([
      sendSeries(benEngine, dialogId, "ben", 40, 10),
      sendSeries(catEngine, dialogId, "cat", 40, 10),
    ]);
    await Bun.sleep(120);
    await nats.restart();
    await streams;
    await waitUntil(
      () => engines.every((e) => confirmed(e, dialogId).length === 80),
      "every message after the NATS restart",
      { timeoutMs: 30_000 },
    );
    await Promise.all(engines.map((e) => e.settled(15_000)));
    expectSameTimeline(engines, dialogId, 80, events);
    // Every client caught up again after the restart (the gateways' resync frames).
    expect(resyncs.every((count) => count >= 1)).toBe(true);
    const metrics = await (await fetch(`${stack.gateways[0]?.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/realtime_nats_reconnects_total [1-9]/);
  }, 90_000);

  test("3-node NATS cluster: API and gateways on different nodes deliver; killing a node mid-stream loses nothing", async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const routes = ports.map((p) => `nats-route://127.0.0.1:${p}`);
    const nodes: NatsProcess[] = [];
    for (const [index, clusterPort] of ports.entries()) {
      const node = await startNatsServer({
        clusterPort,
        routes: routes.filter((_, i) => i !== index),
        name: `n${index + 1}`,
      });
      nodes.push(node);
      cleanups.push(() => node.stop());
    }
    const [n1, n2, n3] = nodes as [NatsProcess, NatsProcess, NatsProcess];
    await waitForRoutes(nodes);
    const stack = await startStack({
      label: "rtcluster",
      apiNatsUrl: n1.url,
      gatewayNatsUrls: [n2.url, n3.url],
    });
    cleanups.push(() => stack.stop());
    const { engines, events, dialogId } = await setup(stack, "c");
    const [annEngine, , benEngine, catEngine] = engines;

    // Across nodes: API publishes on n1, gateways receive on n2 and n3.
    await sendSeries(annEngine, dialogId, "ann", 10, 2);
    await waitUntil(
      () => engines.every((e) => confirmed(e, dialogId).length === 10),
      "delivery across nodes",
    );

    const streams = Promise.all([
      sendSeries(benEngine, dialogId, "ben", 30, 10),
      sendSeries(catEngine, dialogId, "cat", 30, 10),
    ]);
    await Bun.sleep(100);
    await n3.stop("SIGKILL");
    await streams;
    await waitUntil(
      () => engines.every((e) => confirmed(e, dialogId).length === 70),
      "every message after a node died",
      { timeoutMs: 30_000 },
    );
    await Promise.all(engines.map((e) => e.settled(15_000)));
    expectSameTimeline(engines, dialogId, 70, events);
    const metrics = await (await fetch(`${stack.gateways[1]?.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/realtime_nats_reconnects_total [1-9]/);
    expect(n2.proc.exitCode).toBeNull();
  }, 120_000);
});

/** Routes are up once a message published on every other node reaches a subscriber on the first. */
async function waitForRoutes(nodes: NatsProcess[]): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const [first, ...rest] = nodes;
  if (!first) return;
  const sub = await connect({ servers: first.url });
  const pubs = await Promise.all(rest.map((n) => connect({ servers: n.url })));
  let received = 0;
  sub.subscribe("routes.check", {
    callback: () => {
      received++;
    },
  });
  await sub.flush();
  const probeRoutes = async () => {
    for (const pub of pubs) pub.publish("routes.check", "x");
    await Promise.all(pubs.map((p) => p.flush()));
    return received >= pubs.length * 2;
  };
  try {
    await waitUntil(probeRoutes, "NATS cluster routes to form", { timeoutMs: 10_000, intervalMs: 100 });
  } finally {
    await Promise.all([sub.close(), ...pubs.map((p) => p.close())]);
  }
}
