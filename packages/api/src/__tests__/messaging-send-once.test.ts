import { expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { countDialogRows, firstClient, messagingFixture, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob],
} = await messagingFixture("msgonce", [1, 1]);

const countRows = (table: "messages" | "dialog_messages", dialogId: string) =>
  countDialogRows(h.db, table, dialogId);

test("the same clientMsgId sent 10 times concurrently, then 10 more after a restart, is one message", async () => {
  const { clientId, caller } = firstClient(alice);
  const dialog = await caller.dialog.openDirect({ userId: bob.userId });
  const input = { dialogId: dialog.id, clientMsgId: "once-1", clientSeq: 1, content: text("only once") };
  const acks = await Promise.all(Array.from({ length: 10 }, () => caller.message.send(input)));
  expect(new Set(acks.map((ack) => JSON.stringify(ack))).size).toBe(1);

  // A "restart": a brand-new services instance (pool, id lease, caches), half of the retries racing.
  const restarted = await h.createServices();
  const again = h.callerFor(restarted, alice.userId, clientId);
  const later = await Promise.all(Array.from({ length: 10 }, () => again.message.send(input)));
  for (const ack of later) expect(ack).toEqual(acks[0] as (typeof acks)[number]);

  expect(await countRows("messages", dialog.id)).toBe(1);
  expect(await countRows("dialog_messages", dialog.id)).toBe(1);
  const page = await firstClient(bob).caller.dialog.sync({ dialogId: dialog.id, afterSeq: 0, limit: 50 });
  expect(page.messages.length).toBe(1);
  // The next message takes the next clientSeq and seq.
  const next = await caller.message.send({
    ...input,
    clientMsgId: "once-2",
    clientSeq: 2,
    content: text("two"),
  });
  expect(next.seq).toBe(2);
  // Pushed once per send, not once per retry.
  await h.log.waitFor(() => h.log.messagesOf(bob.userId, dialog.id).length >= 2, 5_000, "bob's pushes");
  await Bun.sleep(100);
  expect(h.log.messagesOf(bob.userId, dialog.id).map((event) => event.seq)).toEqual([1, 2]);
});

test("a send whose lock wait times out (Try already committed in the same round trip) is acked once on the step-by-step retry", async () => {
  const { clientId, caller } = firstClient(alice);
  const dialog = await caller.dialog.openDirect({ userId: bob.userId });
  const [state] = (await h.db.execute(
    sql`SELECT last_client_seq FROM dialog_client_seqs WHERE dialog_id = ${dialog.id} AND client_id = ${clientId}`,
  )) as unknown as [{ last_client_seq: string }[]];
  let clientSeq = Number(state[0]?.last_client_seq ?? 0);
  // A first send marks alice as a member here, so the next one travels Try + lock in one round trip.
  clientSeq++;
  await caller.message.send({
    dialogId: dialog.id,
    clientMsgId: `busy-${clientSeq}`,
    clientSeq,
    content: text("x"),
  });
  const before = await countRows("messages", dialog.id);

  // Hold the dialog lock past one lock wait (3 s): the fused attempt times out after its Try
  // committed; the step-by-step retry finds that row and confirms it once the lock is free.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = h.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT id FROM dialogs WHERE id = ${dialog.id} FOR UPDATE`);
    locked();
    await released;
  });
  await isLocked;
  clientSeq++;
  const input = { dialogId: dialog.id, clientMsgId: `busy-${clientSeq}`, clientSeq, content: text("held") };
  const sending = caller.message.send(input);
  setTimeout(release, 4_000);
  const ack = await sending;
  await holder;
  expect(await countRows("messages", dialog.id)).toBe(before + 1);
  const [rows] = (await h.db.execute(
    sql`SELECT t.seq, m.status, m.seq AS message_seq FROM dialog_messages t JOIN messages m
          ON m.dialog_id = t.dialog_id AND m.id = t.msg_id
        WHERE t.dialog_id = ${dialog.id} AND m.dialog_id = ${dialog.id} AND t.msg_id = ${ack.msgId}`,
  )) as unknown as [{ seq: string; status: string; message_seq: string }[]];
  expect(rows.map((row) => [Number(row.seq), row.status, Number(row.message_seq)])).toEqual([
    [ack.seq, "committed", ack.seq],
  ]);
  expect(await caller.message.send(input)).toEqual(ack);
}, 20_000);
