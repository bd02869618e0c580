import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChatEngine, createTrpcChatApi } from "@parley/client";
import { CLOSE_REVOKED } from "@parley/protocol";
import { startGatewayProcess } from "@parley/testkit/gateway";
import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { waitUntil } from "@parley/testkit/wait";
import { type Stack, startStack } from "./engine-stack";
import { caughtUp, confirmed, expectSameTimeline, recordEvents, sendSeries } from "./scenario";

let nats: NatsProcess;
let stack: Stack;
const suffix = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startStack({ label: "rtdeliv", apiNatsUrl: nats.url, gatewayNatsUrls: [nats.url, nats.url] });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
});

async function group(owner: { session: unknown } & Parameters<Stack["call"]>[0], memberIds: string[]) {
  const view = (await stack.call(owner, "mutation", "dialog.createGroup", { title: "test", memberIds })) as {
    id: string;
  };
  return view.id;
}

describe("delivery across two gateways", () => {
  test("3 clients of one user over both gateways, two senders: same order everywhere, senders' order kept", async () => {
    const [gw1, gw2] = stack.gateways as [
      NonNullable<Stack["gateways"][0]>,
      NonNullable<Stack["gateways"][0]>,
    ];
    const alice = await stack.signUp(`alice${suffix}`);
    const alice2 = await stack.signIn(alice.handle);
    const alice3 = await stack.signIn(alice.handle);
    const bob = await stack.signUp(`bob${suffix}`);
    const carol = await stack.signUp(`carol${suffix}`);
    const dialogId = await group(alice, [bob.userId, carol.userId]);

    const engines: ChatEngine[] = [
      stack.engine(alice, gw1),
      stack.engine(alice2, gw2),
      stack.engine(alice3, gw1),
      stack.engine(bob, gw2),
      stack.engine(carol, gw1),
    ];
    const events = engines.map(recordEvents);
    await Promise.all(
      engines.map(async (engine) => {
        const ready = caughtUp(engine);
        await engine.start();
        await ready;
      }),
    );
    const [, , , bobEngine, carolEngine] = engines as [
      ChatEngine,
      ChatEngine,
      ChatEngine,
      ChatEngine,
      ChatEngine,
    ];
    const perSender = 40;
    await Promise.all([
      sendSeries(bobEngine, dialogId, "bob", perSender, 2),
      sendSeries(carolEngine, dialogId, "carol", perSender, 2),
    ]);
    const total = perSender * 2;
    await waitUntil(
      () => engines.every((e) => confirmed(e, dialogId).length === total),
      "every client to hold every message",
    );
    await Promise.all(engines.map((e) => e.settled()));
    expectSameTimeline(engines, dialogId, total, events);
  }, 60_000);

  test("a client cut mid-stream and one whose gateway is SIGKILLed end with every message once, in order, without a full reload", async () => {
    const [gw1] = stack.gateways as [NonNullable<Stack["gateways"][0]>];
    const doomed = await startGatewayProcess({
      natsUrl: nats.url,
      publicKeyPem: stack.publicKeyPem,
      env: { GATEWAY_ID: "doomed" },
    });
    const dave = await stack.signUp(`dave${suffix}`);
    const erin = await stack.signUp(`erin${suffix}`);
    const frank = await stack.signUp(`frank${suffix}`);
    const dialogId = await group(dave, [erin.userId, frank.userId]);
    const sender = stack.engine(dave, gw1);
    const cut = stack.engine(erin, gw1);
    // Fails over to gw1 when its first gateway dies (as a load balancer would).
    const killed = stack.engine(frank, [doomed, gw1]);
    const engines = [sender, cut, killed];
    const events = engines.map(recordEvents);
    await Promise.all(
      engines.map(async (engine) => {
        const ready = caughtUp(engine);
        await engine.start();
        await ready;
      }),
    );

    const first = 30;
    await sendSeries(sender, dialogId, "dave", first, 3);
    await waitUntil(() => engines.every((e) => confirmed(e, dialogId).length === first), "the first batch");
    const fetchedBefore = engines.map((e) => stack.fetchedBy(e));

    const stream = sendSeries(sender, dialogId, "dave2", 40, 5);
    await Bun.sleep(60);
    cut.dropConnection();
    await Bun.sleep(40);
    await doomed.kill("SIGKILL");
    await stream;
    const total = first + 40;
    await waitUntil(
      () => engines.every((e) => confirmed(e, dialogId).length === total),
      "every message after the cuts",
    );
    await Promise.all(engines.map((e) => e.settled()));
    expectSameTimeline(engines, dialogId, total, events);
    // Catch-up fetched at most the messages after the cut, never the whole history again.
    for (const [index, engine] of engines.entries()) {
      expect(stack.fetchedBy(engine) - (fetchedBefore[index] ?? 0)).toBeLessThanOrEqual(40);
    }
    expect(killed.connectionState).toBe("open");
  }, 60_000);

  test("revoking a client closes its socket within 2 s; the user's other clients keep receiving", async () => {
    const [gw1, gw2] = stack.gateways as [
      NonNullable<Stack["gateways"][0]>,
      NonNullable<Stack["gateways"][0]>,
    ];
    const gina = await stack.signUp(`gina${suffix}`);
    const ginaPhone = await stack.signIn(gina.handle);
    const hank = await stack.signUp(`hank${suffix}`);
    const dialogId = await group(hank, [gina.userId]);
    const laptop = stack.engine(gina, gw1);
    const phone = stack.engine(ginaPhone, gw2);
    const hankEngine = stack.engine(hank, gw1);
    for (const engine of [laptop, phone, hankEngine]) {
      const ready = caughtUp(engine);
      await engine.start();
      await ready;
    }
    const closed = new Promise<{ code?: number; at: number }>((resolve) => {
      phone.on("connection", ({ state, code }) => {
        if (state === "stopped") resolve({ code, at: Date.now() });
      });
    });
    const started = Date.now();
    await stack.call(gina, "mutation", "user.revokeClient", { clientId: ginaPhone.clientId });
    const result = await closed;
    expect(result.code).toBe(CLOSE_REVOKED);
    expect(result.at - started).toBeLessThan(2_000);

    await sendSeries(hankEngine, dialogId, "hank", 5);
    await waitUntil(() => confirmed(laptop, dialogId).length === 5, "the laptop to keep receiving");
    expect(confirmed(phone, dialogId).length).toBe(0);
  }, 30_000);

  test("the engine refreshes its realtime token in-band and its access token transparently", async () => {
    const [gw1] = stack.gateways as [NonNullable<Stack["gateways"][0]>];
    const refreshes = async () =>
      Number(
        (await (await fetch(`${gw1.metricsUrl}/metrics`)).text()).match(
          /realtime_auth_refreshes_total (\d+)/,
        )?.[1],
      );
    const ivy = await stack.signUp(`ivy${suffix}`);
    const before = await refreshes();
    // 60 s tokens, refreshed 58.5 s early: the in-band refresh happens about 1.5 s after hello.
    const engine = stack.engine(ivy, gw1, { refreshLeadMs: 58_500 });
    const ready = caughtUp(engine);
    await engine.start();
    await ready;
    await waitUntil(async () => (await refreshes()) > before, "an in-band token refresh", {
      timeoutMs: 8_000,
      intervalMs: 100,
    });
    expect(engine.connectionState).toBe("open");

    // A rejected access token is refreshed once (rotated refresh token) and the call retried.
    const api = createTrpcChatApi({
      url: stack.api.trpcUrl,
      session: { ...ivy.session, accessToken: "not-a-valid-access-token" },
    });
    expect(Array.isArray(await api.changes())).toBe(true);
    const rotated = api.session();
    expect(rotated?.accessToken).not.toBe("not-a-valid-access-token");
    expect(rotated?.refreshToken).not.toBe(ivy.session.refreshToken);
  }, 30_000);
});
