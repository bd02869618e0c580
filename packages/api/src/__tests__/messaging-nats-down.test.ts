import { expect, test } from "bun:test";
import { relayOutbox } from "@parley/core/jobs";
import { countDialogRows, firstClient, messagingFixture, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob],
} = await messagingFixture("msgnats", [1, 1]);

const outboxCount = (dialogId: string) => countDialogRows(h.db, "outbox", dialogId);

test("NATS down during sends: sends still commit and ack; pushes arrive once NATS is back (relay)", async () => {
  const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
  // One API process loses its NATS connection (closed for good: a publish cannot be handed over).
  const cut = await h.createServices();
  const publisher = h.publisherOf(cut);
  if (!publisher) throw new Error("services without a NATS publisher");
  await publisher.close();
  expect(publisher.isConnected()).toBe(false);
  const caller = h.callerFor(cut, alice.userId, firstClient(alice).clientId);

  const acks = [];
  for (let clientSeq = 1; clientSeq <= 5; clientSeq++) {
    acks.push(
      await caller.message.send({
        dialogId: dialog.id,
        clientMsgId: `down-${clientSeq}`,
        clientSeq,
        content: text(`while NATS is down ${clientSeq}`),
      }),
    );
  }
  expect(acks.map((ack) => ack.seq)).toEqual([1, 2, 3, 4, 5]);
  await Bun.sleep(100);
  expect(h.log.messagesOf(bob.userId, dialog.id)).toEqual([]);
  expect(await outboxCount(dialog.id)).toBe(5);
  // Bob still catches up from the store meanwhile.
  const page = await firstClient(bob).caller.dialog.sync({ dialogId: dialog.id, afterSeq: 0, limit: 50 });
  expect(page.messages.length).toBe(5);

  // The worker (with a working NATS connection) relays what the outbox kept.
  const relayed = await relayOutbox({ db: h.db, events: h.services.events }, { olderThanMs: 0 });
  expect(relayed).toEqual({ published: 5, failed: 0 });
  await h.log.waitFor(
    () =>
      h.log.messagesOf(bob.userId, dialog.id).length === 5 &&
      h.log.messagesOf(alice.userId, dialog.id).length === 5,
    5_000,
    "relayed pushes",
  );
  expect(h.log.messagesOf(bob.userId, dialog.id).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
  expect(await outboxCount(dialog.id)).toBe(0);
});

test("an API process pointed at a NATS that does not answer still commits sends", async () => {
  const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
  const dead = await h.createServices({ natsUrl: "nats://127.0.0.1:9" });
  const caller = h.callerFor(dead, alice.userId, firstClient(alice).clientId);
  const ack = await caller.message.send({
    dialogId: dialog.id,
    clientMsgId: "dead-nats-1",
    clientSeq: 6,
    content: text("nobody hears this live"),
  });
  expect(ack.seq).toBe(6);
  expect(await outboxCount(dialog.id)).toBe(1);
  await relayOutbox({ db: h.db, events: h.services.events }, { olderThanMs: 0 });
  await h.log.waitFor(
    () => h.log.messagesOf(bob.userId, dialog.id).some((event) => event.seq === 6),
    5_000,
    "push",
  );
});

test("a group renamed while the API cannot publish: the title commits and the relay tells every member", async () => {
  const group = await firstClient(alice).caller.dialog.createGroup({
    title: "before the outage",
    memberIds: [bob.userId],
  });
  const cut = await h.createServices();
  const publisher = h.publisherOf(cut);
  if (!publisher) throw new Error("services without a NATS publisher");
  await publisher.close();
  const caller = h.callerFor(cut, alice.userId, firstClient(alice).clientId);
  const renamed = await caller.dialog.updateInfo({ dialogId: group.id, title: "after the outage" });
  const groupInfosOf = (userId: string) =>
    h.log.of(userId).filter((event) => event.type === "groupInfo" && event.dialogId === group.id);
  await Bun.sleep(100);
  expect(groupInfosOf(bob.userId)).toEqual([]);
  expect(await outboxCount(group.id)).toBe(1);

  expect(await relayOutbox({ db: h.db, events: h.services.events }, { olderThanMs: 0 })).toEqual({
    published: 1,
    failed: 0,
  });
  await h.log.waitFor(
    () => groupInfosOf(bob.userId).length === 1 && groupInfosOf(alice.userId).length === 1,
    5_000,
    "relayed groupInfo",
  );
  expect(groupInfosOf(bob.userId)[0]).toMatchObject({ title: "after the outage", version: renamed.version });
  expect(await outboxCount(group.id)).toBe(0);
});
