import { describe, expect, test } from "bun:test";
import { FRAME_ERROR_CODES, MAX_PRESENCE_WATCH, userSubject } from "@parley/protocol";
import { messageEvent } from "@parley/testkit/events";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";
import type { WsProbe } from "@parley/testkit/ws-probe";

const WATCH_RATE = 5;
const WATCH_BURST = 12;
const MAX_WATCHED = 40;

const fx = useGatewayFixture({
  env: {
    PRESENCE_WATCH_RATE: String(WATCH_RATE),
    PRESENCE_WATCH_BURST: String(WATCH_BURST),
    PRESENCE_MAX_WATCHED: String(MAX_WATCHED),
  },
});
const { newId, metric } = fx;
const newIds = (n: number) => Array.from({ length: n }, newId);
const connectUser = (userId?: string, clientId?: string) => fx.connect({ userId, clientId });

const presenceOf = (probe: WsProbe, userId: string) =>
  probe.frames.filter((f) => f.type === "event" && f.event.type === "presence" && f.event.userId === userId);

/** A ping answered after the watch frame: the gateway handled everything sent before it. */
async function roundTrip(probe: WsProbe): Promise<void> {
  const t = Math.floor(Math.random() * 1e9);
  probe.send({ type: "ping", t });
  await probe.waitFor((f) => f.type === "pong" && f.t === t);
}

describe("presence.watch needs a ticket naming who may be watched", () => {
  test("ids without a ticket are refused and nothing is watched", async () => {
    const watcher = await connectUser();
    const watched = newId();
    watcher.probe.send({ type: "presence.watch", userIds: [watched] });
    await watcher.probe.waitFor((f) => f.type === "error" && f.code === FRAME_ERROR_CODES.presenceNotAllowed);
    await Bun.sleep(700); // longer than a probe's timeout: an answer would be here by now
    await roundTrip(watcher.probe);
    expect(presenceOf(watcher.probe, watched)).toHaveLength(0);
    // An empty set needs no ticket: stopping is always allowed.
    watcher.probe.send({ type: "presence.watch", userIds: [] });
    await roundTrip(watcher.probe);
    expect(watcher.probe.frames.filter((f) => f.type === "error")).toHaveLength(1);
  });

  test("a ticket of another client, an expired or a forged one is refused", async () => {
    const watcher = await connectUser();
    const watched = newId();
    const tickets = [
      await fx.keys.ticket(watcher.userId, newId(), [watched]),
      await fx.keys.ticket(newId(), watcher.clientId, [watched]),
      await fx.keys.ticket(watcher.userId, watcher.clientId, [watched], { issuedAtOffsetSeconds: -600 }),
      await fx.keys.mint(watcher.userId, watcher.clientId), // a realtime token is not a ticket
      `${(await fx.keys.ticket(watcher.userId, watcher.clientId, [watched])).slice(0, -4)}AAAA`,
    ];
    for (const ticket of tickets) {
      const before = watcher.probe.frames.length;
      watcher.probe.send({ type: "presence.watch", ticket });
      await watcher.probe.waitFor(
        (f) =>
          watcher.probe.frames.indexOf(f) >= before &&
          f.type === "error" &&
          f.code === FRAME_ERROR_CODES.presenceNotAllowed,
      );
    }
    await Bun.sleep(700);
    expect(presenceOf(watcher.probe, watched)).toHaveLength(0);
    expect(watcher.probe.ws.readyState).toBe(WebSocket.OPEN);
  });

  test("a valid ticket watches its users, narrowed by userIds when both are given", async () => {
    const watcher = await connectUser();
    const online = await connectUser();
    const [offline, notAsked] = newIds(2) as [string, string];
    const ticket = await fx.keys.ticket(watcher.userId, watcher.clientId, [online.userId, offline, notAsked]);
    watcher.probe.send({ type: "presence.watch", ticket, userIds: [online.userId, offline] });
    await watcher.probe.waitFor(
      (f) =>
        f.type === "event" &&
        f.event.type === "presence" &&
        f.event.userId === online.userId &&
        f.event.online,
    );
    await watcher.probe.waitFor(
      (f) =>
        f.type === "event" && f.event.type === "presence" && f.event.userId === offline && !f.event.online,
    );
    // Ids asked for but not on the ticket are not watched.
    const stranger = newId();
    watcher.probe.send({ type: "presence.watch", ticket, userIds: [offline, stranger] });
    await Bun.sleep(700);
    expect(presenceOf(watcher.probe, stranger)).toHaveLength(0);
  });
});

describe("presence work is budgeted, not frames", () => {
  test("a second watcher of a user costs no probe: the gateway knows the state already", async () => {
    const watched = await connectUser();
    const first = await connectUser();
    const second = await connectUser();
    const probesBefore = await metric("realtime_presence_probes_total");
    first.probe.send({
      type: "presence.watch",
      ticket: await fx.keys.ticket(first.userId, first.clientId, [watched.userId]),
    });
    await first.probe.waitFor((f) => f.type === "event" && f.event.type === "presence");
    second.probe.send({
      type: "presence.watch",
      ticket: await fx.keys.ticket(second.userId, second.clientId, [watched.userId]),
    });
    await second.probe.waitFor((f) => f.type === "event" && f.event.type === "presence" && f.event.online);
    // The watched user is held here: no probe at all. Another gateway's users cost one, once.
    expect(await metric("realtime_presence_probes_total")).toBe(probesBefore);
    const elsewhere = newId();
    first.probe.send({
      type: "presence.watch",
      ticket: await fx.keys.ticket(first.userId, first.clientId, [watched.userId, elsewhere]),
    });
    await first.probe.waitFor(
      (f) => f.type === "event" && f.event.type === "presence" && f.event.userId === elsewhere,
    );
    second.probe.send({
      type: "presence.watch",
      ticket: await fx.keys.ticket(second.userId, second.clientId, [elsewhere]),
    });
    await second.probe.waitFor(
      (f) => f.type === "event" && f.event.type === "presence" && f.event.userId === elsewhere,
    );
    expect(await metric("realtime_presence_probes_total")).toBe(probesBefore + 1);
  });

  test("fresh ids beyond a user's burst are refused over all its sockets; the set stays as it was", async () => {
    const userId = newId();
    const a = await connectUser(userId);
    const b = await connectUser(userId);
    const firstIds = newIds(WATCH_BURST - 2);
    a.probe.send({ type: "presence.watch", ticket: await fx.keys.ticket(userId, a.clientId, firstIds) });
    await a.probe.waitFor(
      (f) => f.type === "event" && f.event.type === "presence" && f.event.userId === firstIds.at(-1),
    );
    const limitedBefore = await metric("realtime_presence_limited_total");
    // The other socket of the same user draws on the same budget.
    const more = newIds(WATCH_BURST);
    b.probe.send({ type: "presence.watch", ticket: await fx.keys.ticket(userId, b.clientId, more) });
    await b.probe.waitFor((f) => f.type === "error" && f.code === FRAME_ERROR_CODES.presenceLimited);
    await Bun.sleep(700);
    for (const id of more) expect(presenceOf(b.probe, id)).toHaveLength(0);
    expect(await metric("realtime_presence_limited_total")).toBe(limitedBefore + 1);
    // Another user has a budget of its own.
    const other = await connectUser();
    const otherIds = newIds(3);
    other.probe.send({
      type: "presence.watch",
      ticket: await fx.keys.ticket(other.userId, other.clientId, otherIds),
    });
    await other.probe.waitFor(
      (f) => f.type === "event" && f.event.type === "presence" && f.event.userId === otherIds.at(-1),
    );
  });

  test("a flood of fresh watch lists costs at most the budget in subscriptions and probes; messages still flow", async () => {
    const bystander = await connectUser();
    const userId = newId();
    const sockets = await Promise.all([connectUser(userId), connectUser(userId), connectUser(userId)]);
    const probesBefore = await metric("realtime_presence_probes_total");
    const started = Date.now();
    for (let round = 0; round < 10; round++) {
      for (const s of sockets) {
        s.probe.send({
          type: "presence.watch",
          ticket: await fx.keys.ticket(userId, s.clientId, newIds(MAX_PRESENCE_WATCH)),
        });
      }
      await Bun.sleep(60);
    }
    for (const s of sockets) await roundTrip(s.probe);
    const elapsedSeconds = (Date.now() - started) / 1000;
    const probes = (await metric("realtime_presence_probes_total")) - probesBefore;
    expect(probes).toBeLessThanOrEqual(WATCH_BURST + Math.ceil(WATCH_RATE * elapsedSeconds));
    expect(await metric("realtime_presence_watched_users")).toBeLessThanOrEqual(MAX_WATCHED);
    fx.nc.publish(
      userSubject(bystander.userId),
      JSON.stringify(messageEvent("77", 1, { senderId: bystander.userId })),
    );
    await bystander.probe.waitFor((f) => f.type === "event" && f.event.type === "message");
  });

  test("the process caps distinct watched users; over it, watches are refused", async () => {
    // Earlier tests left some watches; fill the rest from fresh users, each within its own budget.
    const limited: boolean[] = [];
    for (let i = 0; i < Math.ceil(MAX_WATCHED / 10) + 1; i++) {
      const watcher = await connectUser();
      const ids = newIds(10);
      watcher.probe.send({
        type: "presence.watch",
        ticket: await fx.keys.ticket(watcher.userId, watcher.clientId, ids),
      });
      // Either outcome is final: refused, or the last id answered.
      const outcome = await watcher.probe.waitFor(
        (f) =>
          (f.type === "error" && f.code === FRAME_ERROR_CODES.presenceLimited) ||
          (f.type === "event" && f.event.type === "presence" && f.event.userId === ids.at(-1)),
      );
      limited.push(outcome.type === "error");
    }
    expect(limited).toContain(true);
    expect(await metric("realtime_presence_watched_users")).toBeLessThanOrEqual(MAX_WATCHED);
  });
});
