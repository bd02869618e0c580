import { describe, expect, test } from "bun:test";
import {
  CLOSE_UNAUTHORIZED,
  dialogSubject,
  MAX_TOKEN_BIG_DIALOGS,
  type TServerFrame,
  userSubject,
} from "@parley/protocol";
import { messageEvent } from "@parley/testkit/events";
import { type GatewayProcess, readMetric } from "@parley/testkit/gateway";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";
import type { MintOptions } from "@parley/testkit/keys";
import { expectSlowConsumerClose } from "@parley/testkit/slow-consumer";
import { waitUntil } from "@parley/testkit/wait";
import type { WsProbe } from "@parley/testkit/ws-probe";

// Gateway level: two real gateway processes and our own nats-server; the test publishes on
// chat.dialog.<id> and chat.user.<id> exactly as the API does and mints tokens with a `dlg` claim.

const fx = useGatewayFixture({ gateways: 2, monitor: true });
const { newId } = fx;
const gw1 = () => fx.gateways[0] as GatewayProcess;
const gw2 = () => fx.gateways[1] as GatewayProcess;

type Member = { probe: WsProbe; userId: string; clientId: string };

const open = (gateway: GatewayProcess, userId: string, mint: MintOptions = {}): Promise<Member> =>
  fx.connect({ gateway, userId, mint });

const dialogEvent = (dialogId: string, change: "joined" | "left" | "updated") =>
  JSON.stringify({ type: "dialog", dialogId, change, lastSeq: 1, big: true });

const publishMessage = (dialogId: string, seq: number) =>
  fx.nc.publish(dialogSubject(dialogId), JSON.stringify(messageEvent(dialogId, seq)));

/** Seqs of the message events of one dialog this socket received, in arrival order. */
const seqsOf = (probe: WsProbe, dialogId: string) =>
  probe.frames.flatMap((f) =>
    f.type === "event" && f.event.type === "message" && f.event.dialogId === dialogId ? [f.event.seq] : [],
  );

const isMessage = (dialogId: string, seq: number) => (f: TServerFrame) =>
  f.type === "event" && f.event.type === "message" && f.event.dialogId === dialogId && f.event.seq === seq;

/**
 * A marker on the user's own subject, published after everything before it: NATS keeps one
 * publisher's order to one subscriber across subjects, and the gateway publishes each NATS message
 * to the sockets as it arrives — so once the marker is in, anything published earlier is in too.
 */
async function drained(member: Member): Promise<void> {
  const marker = newId();
  fx.nc.publish(userSubject(member.userId), JSON.stringify(messageEvent(marker, 1)));
  await member.probe.waitFor(isMessage(marker, 1));
}

const bigSubscriptions = (gw: GatewayProcess) => readMetric(gw, "realtime_big_dialog_subscriptions");

/** Subscriptions on `subject` per gateway connection, as nats-server itself counts them. */
async function subscriptionsAtNats(subject: string): Promise<Record<string, number>> {
  const connz = (await (await fetch(`${fx.nats.monitorUrl}/connz?subs=1&limit=1024`)).json()) as {
    connections: { name?: string; subscriptions_list?: string[] }[];
  };
  const counts: Record<string, number> = {};
  for (const conn of connz.connections) {
    if (!conn.name?.startsWith("realtime-")) continue;
    counts[conn.name] = (conn.subscriptions_list ?? []).filter((s) => s === subject).length;
  }
  return counts;
}

async function closeAll(members: Member[]): Promise<void> {
  for (const { probe } of members) probe.ws.close();
  await Promise.all(members.map(({ probe }) => probe.closed));
}

/** Closes the sockets and waits until the gateway has processed the closes (its socket gauge). */
async function closeGone(members: Member[], gw: GatewayProcess): Promise<void> {
  const open = await readMetric(gw, "realtime_sockets");
  await closeAll(members);
  await waitUntil(
    async () => (await readMetric(gw, "realtime_sockets")) === open - members.length,
    "the gateway to see the closes",
  );
}

describe("big groups: one chat.dialog.<id> subscription per gateway", () => {
  test("one publish reaches every listed socket on both gateways once, in order; one NATS subscription per gateway, dropped with its last socket", async () => {
    const dialogId = newId();
    const before = [await bigSubscriptions(gw1()), await bigSubscriptions(gw2())];
    const deliveriesBefore = await readMetric(gw1(), "realtime_dialog_deliveries_total");
    const ann = newId();
    const members = [
      await open(gw1(), ann, { dialogIds: [dialogId] }),
      await open(gw1(), ann, { dialogIds: [dialogId] }),
      await open(gw1(), newId(), { dialogIds: [newId(), dialogId] }),
      await open(gw2(), newId(), { dialogIds: [dialogId] }),
      await open(gw2(), newId(), { dialogIds: [dialogId] }),
    ];
    const outsider = await open(gw1(), newId(), { dialogIds: [newId()] });
    // One SUB for D per gateway process at NATS, whatever the number of its sockets that list D.
    expect(await subscriptionsAtNats(dialogSubject(dialogId))).toEqual({
      "realtime-gw1": 1,
      "realtime-gw2": 1,
    });
    // gw1(): D (three sockets), b's other dialog, the outsider's dialog; gw2(): D (two sockets).
    expect(await bigSubscriptions(gw1())).toBe((before[0] ?? 0) + 3);
    expect(await bigSubscriptions(gw2())).toBe((before[1] ?? 0) + 1);

    // Published right after the last hello: hello means the dialog subscription is live at NATS.
    const total = 60;
    for (let seq = 1; seq <= total; seq++) publishMessage(dialogId, seq);
    await fx.nc.flush();
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const member of members) {
      await member.probe.waitFor(isMessage(dialogId, total));
      await drained(member);
      expect(seqsOf(member.probe, dialogId)).toEqual(expected);
    }
    await drained(outsider);
    expect(seqsOf(outsider.probe, dialogId)).toEqual([]);
    expect((await readMetric(gw1(), "realtime_dialog_deliveries_total")) - deliveriesBefore).toBe(total * 3);

    // The gateway keeps the subscription while any socket lists the dialog.
    const [a1, a2, b, c, d] = members as [Member, Member, Member, Member, Member];
    await closeGone([a1], gw1());
    await closeGone([c], gw2());
    expect(await bigSubscriptions(gw1())).toBe((before[0] ?? 0) + 3);
    expect(await bigSubscriptions(gw2())).toBe((before[1] ?? 0) + 1);
    await closeAll([d]);
    await waitUntil(async () => (await bigSubscriptions(gw2())) === (before[1] ?? 0), "gw2 to drop it");
    await waitUntil(
      async () => (await subscriptionsAtNats(dialogSubject(dialogId)))["realtime-gw2"] === 0,
      "NATS to see gw2's UNSUB",
    );
    expect((await subscriptionsAtNats(dialogSubject(dialogId)))["realtime-gw1"]).toBe(1);
    publishMessage(dialogId, total + 1);
    await a2.probe.waitFor(isMessage(dialogId, total + 1));
    await closeAll([a2, b]);
    await waitUntil(async () => (await bigSubscriptions(gw1())) === (before[0] ?? 0) + 1, "gw1 to drop it");
    await waitUntil(
      async () => (await subscriptionsAtNats(dialogSubject(dialogId)))["realtime-gw1"] === 0,
      "NATS to see gw1's UNSUB",
    );
    await closeAll([outsider]);
    await waitUntil(async () => (await bigSubscriptions(gw1())) === (before[0] ?? 0), "gw1 to drop the rest");
  }, 30_000);

  test("an in-band refresh replaces the set: a token without D stops D, one with D starts it by auth.ok", async () => {
    const dialogId = newId();
    const dropping = await open(gw1(), newId(), { dialogIds: [dialogId] });
    const adding = await open(gw2(), newId(), { dialogIds: [] });
    const before = await bigSubscriptions(gw1());

    dropping.probe.send({ type: "auth", token: await fx.keys.mint(dropping.userId, dropping.clientId) });
    adding.probe.send({
      type: "auth",
      token: await fx.keys.mint(adding.userId, adding.clientId, { dialogIds: [dialogId] }),
    });
    await dropping.probe.waitFor((f) => f.type === "auth.ok");
    await adding.probe.waitFor((f) => f.type === "auth.ok");
    expect(await bigSubscriptions(gw1())).toBe(before - 1);

    publishMessage(dialogId, 1);
    await adding.probe.waitFor(isMessage(dialogId, 1));
    await drained(dropping);
    expect(seqsOf(dropping.probe, dialogId)).toEqual([]);
    expect(seqsOf(adding.probe, dialogId)).toEqual([1]);
    await closeAll([dropping, adding]);
  }, 30_000);

  test("a 'left' event on chat.user.U stops U's sockets at once (the client still gets it); others keep receiving; a stale token cannot bring D back until U joins again", async () => {
    const dialogId = newId();
    const userId = newId();
    const u1 = await open(gw1(), userId, { dialogIds: [dialogId] });
    const u2 = await open(gw2(), userId, { dialogIds: [dialogId] });
    const other = await open(gw1(), newId(), { dialogIds: [dialogId] });
    const removalsBefore = await readMetric(gw1(), "realtime_dialog_removals_total");
    publishMessage(dialogId, 1);
    for (const { probe } of [u1, u2, other]) await probe.waitFor(isMessage(dialogId, 1));

    // No wait between the removal and the next message: "at once" means the very next one.
    fx.nc.publish(userSubject(userId), dialogEvent(dialogId, "left"));
    publishMessage(dialogId, 2);
    await other.probe.waitFor(isMessage(dialogId, 2));
    for (const member of [u1, u2]) {
      await drained(member);
      await member.probe.waitFor(
        (f) => f.type === "event" && f.event.type === "dialog" && f.event.change === "left",
      );
      expect(seqsOf(member.probe, dialogId)).toEqual([1]);
    }
    expect((await readMetric(gw1(), "realtime_dialog_removals_total")) - removalsBefore).toBe(1);

    // A refresh with a token minted before the removal still lists D: it must not re-subscribe.
    u1.probe.send({
      type: "auth",
      token: await fx.keys.mint(userId, u1.clientId, { dialogIds: [dialogId] }),
    });
    await u1.probe.waitFor((f) => f.type === "auth.ok");
    publishMessage(dialogId, 3);
    await other.probe.waitFor(isMessage(dialogId, 3));
    await drained(u1);
    expect(seqsOf(u1.probe, dialogId)).toEqual([1]);

    // Joined again: the next token that lists D subscribes it.
    fx.nc.publish(userSubject(userId), dialogEvent(dialogId, "joined"));
    await u1.probe.waitFor(
      (f) => f.type === "event" && f.event.type === "dialog" && f.event.change === "joined",
    );
    const authOks = u1.probe.frames.filter((f) => f.type === "auth.ok").length;
    u1.probe.send({
      type: "auth",
      token: await fx.keys.mint(userId, u1.clientId, { dialogIds: [dialogId] }),
    });
    await waitUntil(
      async () => u1.probe.frames.filter((f) => f.type === "auth.ok").length > authOks,
      "the second auth.ok",
    );
    publishMessage(dialogId, 4);
    await u1.probe.waitFor(isMessage(dialogId, 4));
    expect(seqsOf(u1.probe, dialogId)).toEqual([1, 4]);
    await closeAll([u1, u2, other]);
  }, 30_000);

  test("a lost 'joined' heals: a token minted clearly after the removal that lists D subscribes it again", async () => {
    const dialogId = newId();
    const userId = newId();
    const u = await open(gw1(), userId, { dialogIds: [dialogId] });
    fx.nc.publish(userSubject(userId), dialogEvent(dialogId, "left"));
    await u.probe.waitFor(
      (f) => f.type === "event" && f.event.type === "dialog" && f.event.change === "left",
    );
    // The user is added back but the "joined" never reaches this gateway (NATS core is at-most-once).
    // Past iat's second and the skew margin, the periodic refresh's token is the truth.
    await Bun.sleep(4_200);
    u.probe.send({ type: "auth", token: await fx.keys.mint(userId, u.clientId, { dialogIds: [dialogId] }) });
    await u.probe.waitFor((f) => f.type === "auth.ok");
    publishMessage(dialogId, 1);
    await u.probe.waitFor(isMessage(dialogId, 1));
    await closeAll([u]);
  }, 30_000);

  test("a token listing MAX_TOKEN_BIG_DIALOGS dialogs works in the upgrade URL and in-band; a refresh shrinks and grows the set", async () => {
    const dialogIds = Array.from({ length: MAX_TOKEN_BIG_DIALOGS }, () => `9${newId()}00`);
    const before = await bigSubscriptions(gw2());
    const member = await open(gw2(), newId(), { dialogIds });
    expect(await bigSubscriptions(gw2())).toBe(before + MAX_TOKEN_BIG_DIALOGS);
    const kept = dialogIds.slice(-40);
    member.probe.send({
      type: "auth",
      token: await fx.keys.mint(member.userId, member.clientId, { dialogIds: kept }),
    });
    await member.probe.waitFor((f) => f.type === "auth.ok");
    expect(await bigSubscriptions(gw2())).toBe(before + kept.length);
    publishMessage(dialogIds[0] ?? "", 1);
    publishMessage(kept[0] ?? "", 1);
    await member.probe.waitFor(isMessage(kept[0] ?? "", 1));
    await drained(member);
    expect(seqsOf(member.probe, dialogIds[0] ?? "")).toEqual([]);
    // A full token fits in-band too (MAX_REALTIME_TOKEN_CHARS): the set grows back.
    member.probe.send({
      type: "auth",
      token: await fx.keys.mint(member.userId, member.clientId, { dialogIds }),
    });
    await member.probe.waitFor(
      (f) => f.type === "auth.ok" && member.probe.frames.filter((g) => g.type === "auth.ok").length === 2,
    );
    expect(await bigSubscriptions(gw2())).toBe(before + MAX_TOKEN_BIG_DIALOGS);
    await closeAll([member]);
  }, 30_000);

  test("a dlg claim that is not a list of ids, or lists too many, is refused with CLOSE_UNAUTHORIZED", async () => {
    for (const dialogIds of [["not-an-id"], "7", Array.from({ length: MAX_TOKEN_BIG_DIALOGS + 1 }, newId)]) {
      const probe = fx.openSocket(await fx.keys.mint(newId(), newId(), { dialogIds }));
      expect((await probe.closed).code).toBe(CLOSE_UNAUTHORIZED);
    }
  }, 30_000);

  test("a consumer that stops reading the dialog topic is closed with CLOSE_SLOW_CONSUMER; others keep receiving", async () => {
    const dialogId = newId();
    const bystander = await open(gw2(), newId(), { dialogIds: [dialogId] });
    const token = await fx.keys.mint(newId(), newId(), { dialogIds: [dialogId] });
    await expectSlowConsumerClose({
      gateway: gw2(),
      token,
      nc: fx.nc,
      subject: dialogSubject(dialogId),
      payload: JSON.stringify(messageEvent(dialogId, 1, { text: "x".repeat(3_500) })),
    });
    publishMessage(dialogId, 2);
    await bystander.probe.waitFor(isMessage(dialogId, 2), 15_000);
    await closeAll([bystander]);
  }, 40_000);
});
