import { expect, test } from "bun:test";
import { createNatsPublisher, relayOutbox } from "@parley/core/jobs";
import { TEST_NATS_URL } from "@parley/testkit";
import { waitUntil } from "@parley/testkit/wait";
import type { EventPublisher } from "../context";
import { countDialogRows, firstClient, messagingFixture, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob],
} = await messagingFixture("msgflush", [1, 1]);

const outboxCount = (dialogId: string) => countDialogRows(h.db, "outbox", dialogId);

/**
 * The real publisher, except that NATS's confirmation (the flush round trip) is held until the test
 * opens the gate: publish() returning is not the server holding the message.
 */
function gatedPublisher(): { events: EventPublisher; open: () => void } {
  const real = h.services.events;
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    events: {
      publish: (subject, payload) => real.publish(subject, payload),
      publishJson: (subject, json) => real.publishJson?.(subject, json),
      flush: async () => {
        await opened;
        await real.flush?.();
      },
    },
    open,
  };
}

test("a send's outbox row is deleted only once NATS confirmed the publish", async () => {
  const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
  const gate = gatedPublisher();
  const services = await h.createServices({ events: gate.events });
  const caller = h.callerFor(services, alice.userId, firstClient(alice).clientId);
  await caller.message.send({ dialogId: dialog.id, clientMsgId: "f1", clientSeq: 1, content: text("f1") });
  await Bun.sleep(300); // well past the cleaner's batching delay
  expect(await outboxCount(dialog.id)).toBe(1);
  gate.open();
  await waitUntil(async () => (await outboxCount(dialog.id)) === 0, "the outbox row's delete");
});

test("the relay deletes what it republished only once NATS confirmed it", async () => {
  // Another pair: a direct dialog's id is derived from its two users.
  const carol = await h.createUser(1);
  const dialog = await firstClient(carol).caller.dialog.openDirect({ userId: bob.userId });
  const down = await h.createServices();
  await h.publisherOf(down)?.close(); // its sends leave their outbox rows behind
  const caller = h.callerFor(down, carol.userId, firstClient(carol).clientId);
  await caller.message.send({ dialogId: dialog.id, clientMsgId: "r1", clientSeq: 1, content: text("r1") });
  expect(await outboxCount(dialog.id)).toBe(1);
  const gate = gatedPublisher();
  const relaying = relayOutbox({ db: h.db, events: gate.events }, { olderThanMs: 0 });
  await Bun.sleep(300);
  expect(await outboxCount(dialog.id)).toBe(1);
  gate.open();
  expect((await relaying).published).toBeGreaterThanOrEqual(1);
  expect(await outboxCount(dialog.id)).toBe(0);
});

test("NATS_URL with several servers uses each of them: a dead last entry does not stop the publisher", async () => {
  const publisher = createNatsPublisher(`${TEST_NATS_URL}, nats://127.0.0.1:1`, "test-split");
  try {
    await waitUntil(() => publisher.isConnected(), "a connection to the live server", { timeoutMs: 8_000 });
  } finally {
    await publisher.close();
  }
});
