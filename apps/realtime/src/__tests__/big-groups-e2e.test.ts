import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatEngine } from "@parley/client";
import { type GatewayProcess, readMetric } from "@parley/testkit/gateway";
import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { waitUntil } from "@parley/testkit/wait";
import { type Stack, startStack } from "./engine-stack";
import { caughtUp, confirmed, expectSameTimeline, recordEvents, sendSeries } from "./scenario";

// The whole path: the real API (groups of ≥ 3 are big, no per-member grace) publishes once on
// chat.dialog.<id>; two gateways fan out; ChatEngines of the members hold every message in order.

let nats: NatsProcess;
let stack: Stack;
const suffix = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startStack({
    label: "rtbig",
    apiNatsUrl: nats.url,
    gatewayNatsUrls: [nats.url, nats.url],
    apiEnv: { BIG_GROUP_MIN_MEMBERS: "3", BIG_GROUP_FANOUT_GRACE_MS: "0" },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
});

const sum = async (name: string) =>
  (await Promise.all(stack.gateways.map((g) => readMetric(g, name)))).reduce((a, b) => a + b, 0);

async function started(engine: ChatEngine): Promise<ChatEngine> {
  const ready = caughtUp(engine);
  await engine.start();
  await ready;
  return engine;
}

describe("big groups end to end (API + 2 gateways + engines)", () => {
  test("members on both gateways hold every message once, in order, through chat.dialog; a joined member subscribes by refresh; a removed one stops", async () => {
    const [gw1, gw2] = stack.gateways as [GatewayProcess, GatewayProcess];
    const [owner, ...members] = await Promise.all(
      ["own", "m1", "m2", "m3"].map((name) => stack.signUp(`${name}${suffix}`)),
    );
    if (!owner || members.length !== 3) throw new Error("sign-up failed");
    const [m1, m2, m3] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const dialogId = (
      (await stack.call(owner, "mutation", "dialog.createGroup", {
        title: "big",
        memberIds: [m1.userId, m2.userId],
      })) as { id: string }
    ).id;

    const engines = await Promise.all([
      started(stack.engine(owner, gw1)),
      started(stack.engine(m1, gw2)),
      started(stack.engine(m2, gw1)),
    ]);
    const [ownerEngine, m1Engine, m2Engine] = engines as [ChatEngine, ChatEngine, ChatEngine];
    const events = engines.map(recordEvents);
    const deliveriesBefore = await sum("realtime_dialog_deliveries_total");
    expect(await readMetric(gw1, "realtime_big_dialog_subscriptions")).toBeGreaterThanOrEqual(1);
    expect(await readMetric(gw2, "realtime_big_dialog_subscriptions")).toBeGreaterThanOrEqual(1);

    const perSender = 20;
    await Promise.all([
      sendSeries(ownerEngine, dialogId, "own", perSender, 2),
      sendSeries(m1Engine, dialogId, "m1", perSender, 2),
    ]);
    let total = perSender * 2;
    await waitUntil(() => engines.every((e) => confirmed(e, dialogId).length === total), "the first batch");
    await Promise.all(engines.map((e) => e.settled()));
    expectSameTimeline(engines, dialogId, total, events);
    // The pushes came through the dialog subject: one delivery per engine per message.
    expect((await sum("realtime_dialog_deliveries_total")) - deliveriesBefore).toBe(total * engines.length);

    // A member added now: its engine gets "joined" (big), refreshes its token in-band, syncs, and
    // from then on hears the dialog subject.
    const m3Engine = await started(stack.engine(m3, gw2));
    const joinedEvents = recordEvents(m3Engine);
    await stack.call(owner, "mutation", "dialog.addMembers", { dialogId, userIds: [m3.userId] });
    // A member added later sees the dialog from its join on (joined_seq): synced up to `total`, empty.
    await waitUntil(
      () => m3Engine.dialogs().some((d) => d.dialogId === dialogId && d.heldSeq === total),
      "the new member's sync",
    );
    await m3Engine.settled();
    const syncedBefore = stack.fetchedBy(m3Engine);
    await sendSeries(m2Engine, dialogId, "m2", 10, 2);
    const joinedAt = total;
    total += 10;
    await waitUntil(
      () =>
        engines.every((e) => confirmed(e, dialogId).length === total) &&
        confirmed(m3Engine, dialogId).length === 10,
      "the second batch",
    );
    await Promise.all([...engines, m3Engine].map((e) => e.settled()));
    expectSameTimeline(engines, dialogId, total, events);
    const tail = confirmed(ownerEngine, dialogId).slice(joinedAt);
    expect(confirmed(m3Engine, dialogId).map((m) => m.id)).toEqual(tail.map((m) => m.id));
    expect(joinedEvents.get(dialogId)?.length).toBe(10);
    // Pushed through the dialog subject after the refresh, not fetched.
    expect(stack.fetchedBy(m3Engine)).toBe(syncedBefore);

    // Removed: the gateway drops m1's socket from the dialog at once; the others keep receiving.
    const removalsBefore = await sum("realtime_dialog_removals_total");
    await stack.call(owner, "mutation", "dialog.removeMember", { dialogId, userId: m1.userId });
    await sendSeries(ownerEngine, dialogId, "own2", 10, 2);
    await waitUntil(
      () =>
        [ownerEngine, m2Engine].every((e) => confirmed(e, dialogId).length === total + 10) &&
        confirmed(m3Engine, dialogId).length === total + 10 - joinedAt,
      "the members after the removal",
    );
    await Promise.all([ownerEngine, m2Engine, m3Engine].map((e) => e.settled()));
    expect(confirmed(m1Engine, dialogId).length).toBe(total);
    expect((await sum("realtime_dialog_removals_total")) - removalsBefore).toBe(1);
  }, 90_000);
});
