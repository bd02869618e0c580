import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import type { ApiServices } from "../context";
import { type Caller, firstClient, messagingFixture, text } from "./messaging-harness";

const { h, users } = await messagingFixture("msgorder", [2, 2, 2]);

async function timelineSeqs(dialogId: string): Promise<{ seq: number; msgId: string }[]> {
  const [rows] = (await h.db.execute(
    sql`SELECT seq, msg_id FROM dialog_messages WHERE dialog_id = ${dialogId} ORDER BY seq`,
  )) as unknown as [{ seq: string | number; msg_id: string }[]];
  return rows.map((row) => ({ seq: Number(row.seq), msgId: String(row.msg_id) }));
}

/** Sends clientSeq 1..count from one client, up to `window` requests in flight (a pipelining client). */
async function pipeline(caller: Caller, dialogId: string, tag: string, count: number, window: number) {
  const acks: { clientSeq: number; seq: number; msgId: string }[] = [];
  let next = 1;
  async function lane() {
    while (next <= count) {
      const clientSeq = next++;
      const ack = await caller.message.send({
        dialogId,
        clientMsgId: `${tag}-${clientSeq}`,
        clientSeq,
        content: text(`${tag} #${clientSeq}`),
      });
      acks.push({ clientSeq, ...ack });
    }
  }
  await Promise.all(Array.from({ length: window }, lane));
  return acks.sort((a, b) => a.clientSeq - b.clientSeq);
}

describe("ordering", () => {
  test("per-sender order: 3 users x 2 clients, 4 concurrent pipelining senders, 500 messages, timeline 1..N", async () => {
    const [u0, u1, u2] = users;
    const group = await firstClient(u0).caller.dialog.createGroup({
      title: "order",
      memberIds: [u1.userId, u2.userId],
    });
    const senders = [u0.clients[0], u0.clients[1], u1.clients[0], u2.clients[1]].flatMap((c) =>
      c ? [c] : [],
    );
    expect(senders.length).toBe(4);
    const results = await Promise.all(
      senders.map((sender, index) => pipeline(sender.caller, group.id, `s${index}`, 125, 4)),
    );
    for (const acks of results) {
      expect(acks.map((a) => a.clientSeq)).toEqual(Array.from({ length: 125 }, (_, i) => i + 1));
      for (let i = 1; i < acks.length; i++) {
        expect((acks[i]?.seq ?? 0) > (acks[i - 1]?.seq ?? 0)).toBe(true);
      }
    }
    const timeline = await timelineSeqs(group.id);
    expect(timeline.map((row) => row.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(new Set(timeline.map((row) => row.msgId)).size).toBe(500);
    // Every member got every message pushed, in seq order per subscriber.
    await h.log.waitFor(
      () => users.every((user) => h.log.messagesOf(user.userId, group.id).length >= 500),
      10_000,
      "500 pushes per member",
    );
    for (const user of users) {
      const seqs = h.log.messagesOf(user.userId, group.id).map((event) => event.seq);
      expect(new Set(seqs).size).toBe(500);
    }
    const view = await firstClient(u1).caller.dialog.get({ dialogId: group.id });
    expect(view.lastSeq).toBe(500);
  }, 60_000);

  test("pipelined sends arriving out of order at two API processes get seqs in clientSeq order", async () => {
    const [u0, u1] = users;
    const second: ApiServices = await h.createServices();
    const dialog = await firstClient(u0).caller.dialog.openDirect({ userId: u1.userId });
    const client = u0.clients[1];
    if (!client) throw new Error("missing client");
    const viaA = client.caller;
    const viaB = h.callerFor(second, u0.userId, client.clientId);
    for (let round = 0; round < 3; round++) {
      const base = round * 20;
      // Highest clientSeq first, alternating processes: every send but the first must wait.
      const order = Array.from({ length: 20 }, (_, i) => base + 20 - i);
      const acks = await Promise.all(
        order.map((clientSeq, index) =>
          (index % 2 === 0 ? viaA : viaB).message
            .send({
              dialogId: dialog.id,
              clientMsgId: `ooo-${clientSeq}`,
              clientSeq,
              content: text(`out of order ${clientSeq}`),
            })
            .then((ack) => ({ clientSeq, seq: ack.seq })),
        ),
      );
      acks.sort((a, b) => a.clientSeq - b.clientSeq);
      for (let i = 1; i < acks.length; i++) expect((acks[i]?.seq ?? 0) > (acks[i - 1]?.seq ?? 0)).toBe(true);
    }
    const timeline = await timelineSeqs(dialog.id);
    expect(timeline.length).toBe(60);
  }, 30_000);

  test("a real gap is refused after the bounded wait with the expected clientSeq; the queue is not wedged", async () => {
    const [u0, , u2] = users;
    const fast = await h.createServices({
      messaging: {
        clientSeqWaitMs: 150,
        readRateLimit: { max: 1_000_000, windowMs: 10_000 },
        sendRateLimit: { max: 1_000_000, windowMs: 10_000 },
      },
    });
    const dialog = await firstClient(u0).caller.dialog.openDirect({ userId: u2.userId });
    const caller = h.callerFor(fast, u0.userId, firstClient(u0).clientId);
    await caller.message.send({
      dialogId: dialog.id,
      clientMsgId: "gap-1",
      clientSeq: 1,
      content: text("1"),
    });
    const started = Date.now();
    const refused = await caller.message
      .send({ dialogId: dialog.id, clientMsgId: "gap-3", clientSeq: 3, content: text("3") })
      .catch((error: unknown) => error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(refused).toMatchObject({ code: "CONFLICT", cause: { details: { expectedClientSeq: 2 } } });
    // The client fills the gap and retries the same message: both land, in order.
    const two = await caller.message.send({
      dialogId: dialog.id,
      clientMsgId: "gap-2",
      clientSeq: 2,
      content: text("2"),
    });
    const three = await caller.message.send({
      dialogId: dialog.id,
      clientMsgId: "gap-3",
      clientSeq: 3,
      content: text("3"),
    });
    expect(three.seq).toBe(two.seq + 1);
    // A clientSeq already used is refused for good (it names the expected one).
    const stale = await caller.message
      .send({ dialogId: dialog.id, clientMsgId: "gap-dup", clientSeq: 2, content: text("dup") })
      .catch((error: unknown) => error);
    expect(stale).toMatchObject({
      code: "PRECONDITION_FAILED",
      cause: { details: { expectedClientSeq: 4 } },
    });
  }, 30_000);
});
