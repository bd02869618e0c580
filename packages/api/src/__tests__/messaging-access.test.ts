import { beforeAll, describe, expect, test } from "bun:test";
import { flushOutboxDeletes } from "@parley/core/message";
import { sql } from "drizzle-orm";
import { firstClient, messagingFixture, TEST_MESSAGING, text } from "./messaging-harness";

let dialogId: string;

const {
  h,
  users: [alice, bob, mallory],
} = await messagingFixture("msgaccess", [2, 1, 1]);

beforeAll(async () => {
  dialogId = (await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId })).id;
  await firstClient(alice).caller.message.send({
    dialogId,
    clientMsgId: "a1",
    clientSeq: 1,
    content: text("hi"),
  });
  // The snapshots below compare the outbox too: let the batched delete of that push land first.
  await flushOutboxDeletes(h.services);
});

type Row = Record<string, unknown>;
async function snapshot(): Promise<string> {
  const tables = ["dialogs", "dialog_members", "messages", "dialog_messages", "dialog_client_seqs", "outbox"];
  const parts: Row[][] = [];
  for (const table of tables) {
    const [rows] = (await h.db.execute(
      sql`SELECT * FROM ${sql.raw(table)} WHERE ${sql.raw(table === "dialogs" ? "id" : "dialog_id")} = ${dialogId}`,
    )) as unknown as [Row[]];
    parts.push(rows);
  }
  return JSON.stringify(parts);
}

describe("non-members are refused everywhere with NOT_FOUND", () => {
  test("every dialog procedure", async () => {
    const caller = firstClient(mallory).caller;
    const before = await snapshot();
    const attempts: [string, () => Promise<unknown>][] = [
      ["get", () => caller.dialog.get({ dialogId })],
      ["members", () => caller.dialog.members({ dialogId })],
      ["sync", () => caller.dialog.sync({ dialogId, afterSeq: 0, limit: 10 })],
      ["history", () => caller.dialog.history({ dialogId, limit: 10 })],
      ["markRead", () => caller.dialog.markRead({ dialogId, seq: 1 })],
      ["markDelivered", () => caller.dialog.markDelivered({ dialogId, seq: 1 })],
      ["typing", () => caller.dialog.typing({ dialogId })],
      ["leave", () => caller.dialog.leave({ dialogId })],
      ["addMembers", () => caller.dialog.addMembers({ dialogId, userIds: [mallory.userId] })],
      ["removeMember", () => caller.dialog.removeMember({ dialogId, userId: bob.userId })],
      [
        "send",
        () => caller.message.send({ dialogId, clientMsgId: "x", clientSeq: 1, content: text("let me in") }),
      ],
      // A dialog that does not exist looks the same as one you cannot see.
      ["get unknown", () => caller.dialog.get({ dialogId: "123456789" })],
    ];
    for (const [name, attempt] of attempts) {
      const error = await attempt().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect({ name, error }).toMatchObject({ name, error: { code: "NOT_FOUND" } });
    }
    expect(await snapshot()).toBe(before);
    const changes = await caller.dialog.changes();
    expect(changes.dialogs.some((d) => d.dialogId === dialogId)).toBe(false);
    const inbox = await caller.dialog.list({ limit: 10 });
    expect(inbox.items).toEqual([]);
  });

  test("a stranger's send never takes the dialog lock; a removed member is refused and then stays off it", async () => {
    /** Holds the dialog row lock (as a long Confirm would) while `run` goes; answers run's error and time. */
    async function whileLocked(target: string, run: () => Promise<unknown>) {
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = h.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT id FROM dialogs WHERE id = ${target} FOR UPDATE`);
        locked();
        await released;
      });
      await isLocked;
      const started = performance.now();
      const error = await run().then(
        () => null,
        (caught: unknown) => caught,
      );
      const elapsed = performance.now() - started;
      release();
      await holder;
      return { error, elapsed };
    }
    const stranger = await whileLocked(dialogId, () =>
      firstClient(mallory).caller.message.send({
        dialogId,
        clientMsgId: "stranger-1",
        clientSeq: 1,
        content: text("let me in"),
      }),
    );
    expect(stranger.error).toMatchObject({ code: "NOT_FOUND" });
    expect(stranger.elapsed).toBeLessThan(250);

    const carol = await h.createUser(1);
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "leavers",
      memberIds: [bob.userId, carol.userId],
    });
    const carolSend = (n: number) =>
      firstClient(carol).caller.message.send({
        dialogId: group.id,
        clientMsgId: `c${n}`,
        clientSeq: n,
        content: text(`carol ${n}`),
      });
    // Two sends: the second goes the fused way (Try travels with the lock).
    expect((await carolSend(1)).seq).toBe(1);
    expect((await carolSend(2)).seq).toBe(2);
    await firstClient(alice).caller.dialog.removeMember({ dialogId: group.id, userId: carol.userId });
    await expect(carolSend(3)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const removed = await whileLocked(group.id, () => carolSend(4));
    expect(removed.error).toMatchObject({ code: "NOT_FOUND" });
    expect(removed.elapsed).toBeLessThan(250);
    const page = await firstClient(alice).caller.dialog.sync({ dialogId: group.id, afterSeq: 0, limit: 10 });
    expect(page.messages.map((m) => m.clientMsgId)).toEqual(["c1", "c2"]);
  });

  test("unauthenticated callers are refused", async () => {
    const { createCallerFactory } = await import("../index");
    const { appRouter } = await import("../root");
    const caller = createCallerFactory(appRouter)({
      services: h.services,
      req: { headers: new Headers(), ip: null },
      resHeaders: new Headers(),
      viewer: null,
    });
    await expect(caller.dialog.sync({ dialogId, afterSeq: 0, limit: 1 })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});

describe("bad input is a BAD_REQUEST and changes nothing", () => {
  test("send, sync, history, mark, groups", async () => {
    const caller = firstClient(alice).caller;
    const before = await snapshot();
    const long = "x".repeat(4001);
    const bad: [string, () => Promise<unknown>][] = [
      [
        "empty text",
        () => caller.message.send({ dialogId, clientMsgId: "b1", clientSeq: 2, content: text("   ") }),
      ],
      [
        "oversized",
        () => caller.message.send({ dialogId, clientMsgId: "b2", clientSeq: 2, content: text(long) }),
      ],
      [
        "bad dialog id",
        () => caller.message.send({ dialogId: "abc", clientMsgId: "b3", clientSeq: 2, content: text("x") }),
      ],
      ["id past 2^64", () => caller.dialog.get({ dialogId: "99999999999999999999" })],
      [
        "zero clientSeq",
        () => caller.message.send({ dialogId, clientMsgId: "b4", clientSeq: 0, content: text("x") }),
      ],
      [
        "negative clientSeq",
        () => caller.message.send({ dialogId, clientMsgId: "b5", clientSeq: -1, content: text("x") }),
      ],
      [
        "empty clientMsgId",
        () => caller.message.send({ dialogId, clientMsgId: "", clientSeq: 2, content: text("x") }),
      ],
      [
        "unknown kind",
        () =>
          caller.message.send({
            dialogId,
            clientMsgId: "b6",
            clientSeq: 2,
            content: { kind: "image" } as never,
          }),
      ],
      ["negative afterSeq", () => caller.dialog.sync({ dialogId, afterSeq: -1, limit: 10 })],
      ["huge limit", () => caller.dialog.sync({ dialogId, afterSeq: 0, limit: 100_000 })],
      ["fractional seq", () => caller.dialog.markRead({ dialogId, seq: 1.5 })],
      ["negative read seq", () => caller.dialog.markRead({ dialogId, seq: -3 })],
      ["history beforeSeq 0", () => caller.dialog.history({ dialogId, beforeSeq: 0, limit: 10 })],
      ["empty title", () => caller.dialog.createGroup({ title: " ", memberIds: [] })],
      ["direct with self", () => caller.dialog.openDirect({ userId: alice.userId })],
      ["bad cursor", () => caller.dialog.list({ cursor: "nope", limit: 5 })],
    ];
    for (const [name, attempt] of bad) {
      const error = await attempt().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("read state", () => {
  test("read positions never move backwards under out-of-order markRead; unread is the same on every client", async () => {
    const sender = firstClient(bob).caller;
    for (let clientSeq = 1; clientSeq <= 10; clientSeq++) {
      await sender.message.send({
        dialogId,
        clientMsgId: `r${clientSeq}`,
        clientSeq,
        content: text(`${clientSeq}`),
      });
    }
    const [phone, laptop] = alice.clients;
    if (!phone || !laptop) throw new Error("alice needs two clients");
    // Reports from two clients arrive shuffled; only the maximum sticks.
    const marks = [7, 3, 9, 2, 9, 5, 1, 8];
    await Promise.all(
      marks.map((seq, index) => (index % 2 ? phone : laptop).caller.dialog.markRead({ dialogId, seq })),
    );
    for (const seq of [4, 6, 2]) await phone.caller.dialog.markRead({ dialogId, seq });
    const members = await laptop.caller.dialog.members({ dialogId });
    const me = members.find((member) => member.userId === alice.userId);
    expect(me?.readSeq).toBe(9);
    expect(me?.deliveredSeq).toBe(9);
    const [a, b] = await Promise.all([
      phone.caller.dialog.get({ dialogId }),
      laptop.caller.dialog.get({ dialogId }),
    ]);
    expect(a.lastSeq).toBe(11);
    expect(a.unreadCount).toBe(2);
    expect(b.unreadCount).toBe(2);
    // delivered alone never lowers read; a seq past the end is clamped.
    await phone.caller.dialog.markDelivered({ dialogId, seq: 1 });
    const clamped = await phone.caller.dialog.markRead({ dialogId, seq: 1_000 });
    expect(clamped).toEqual({ deliveredSeq: 11, readSeq: 11 });
    // The sender sees it: bob's client gets receipts (1:1 dialog).
    await h.log.waitFor(
      () =>
        h.log
          .of(bob.userId)
          .some((e) => e.type === "receipt" && e.userId === alice.userId && e.readSeq === 11),
      5_000,
      "a read receipt",
    );
  });

  test("history pages backwards and changes lists last_seq per dialog", async () => {
    const caller = firstClient(bob).caller;
    const newest = await caller.dialog.history({ dialogId, limit: 4 });
    expect(newest.messages.map((m) => m.seq)).toEqual([8, 9, 10, 11]);
    expect(newest.hasMore).toBe(true);
    const older = await caller.dialog.history({ dialogId, beforeSeq: 8, limit: 100 });
    expect(older.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(older.hasMore).toBe(false);
    const changes = await caller.dialog.changes();
    expect(changes.dialogs).toContainEqual(expect.objectContaining({ dialogId, lastSeq: 11 }));
  });
});

describe("polling limits", () => {
  test("sync/history/changes share a per-client budget across processes (Redis)", async () => {
    const limits = { ...TEST_MESSAGING, readRateLimit: { max: 5, windowMs: 60_000 } };
    const [one, two] = await Promise.all([
      h.createServices({ messaging: limits }),
      h.createServices({ messaging: limits }),
    ]);
    const clientId = firstClient(bob).clientId;
    const viaOne = h.callerFor(one, bob.userId, clientId);
    const viaTwo = h.callerFor(two, bob.userId, clientId);
    for (let i = 0; i < 3; i++) await viaOne.dialog.sync({ dialogId, afterSeq: 0, limit: 1 });
    await viaTwo.dialog.changes();
    await viaTwo.dialog.history({ dialogId, limit: 1 });
    await expect(viaTwo.dialog.sync({ dialogId, afterSeq: 0, limit: 1 })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    await expect(viaOne.dialog.changes()).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // Another client of the same user has its own budget.
    const other = h.callerFor(one, alice.userId, firstClient(alice).clientId);
    await other.dialog.sync({ dialogId, afterSeq: 0, limit: 1 });
  });
});

describe("send limits", () => {
  test("message.send has a per-client budget across processes; a refused send changes nothing and its retry lands once", async () => {
    const limits = { ...TEST_MESSAGING, sendRateLimit: { max: 3, windowMs: 1_500 } };
    const [one, two] = await Promise.all([
      h.createServices({ messaging: limits }),
      h.createServices({ messaging: limits }),
    ]);
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "limits",
      memberIds: [bob.userId],
    });
    const clientId = firstClient(bob).clientId;
    const callers = [h.callerFor(one, bob.userId, clientId), h.callerFor(two, bob.userId, clientId)];
    const send = (clientSeq: number) =>
      (callers[clientSeq % 2] ?? callers[0])?.message.send({
        dialogId: group.id,
        clientMsgId: `limit-${group.id}-${clientSeq}`,
        clientSeq,
        content: text(`n${clientSeq}`),
      });
    // Start at a window boundary so the four sends share one window.
    await Bun.sleep(1_500 - (Date.now() % 1_500));
    for (const clientSeq of [1, 2, 3]) await send(clientSeq);
    await expect(send(4)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    const before = await callers[0]?.dialog.sync({ dialogId: group.id, afterSeq: 0, limit: 10 });
    expect(before?.messages.map((m) => m.clientSeq)).toEqual([1, 2, 3]);
    // Another client in the same dialog is not slowed down by bob's budget.
    await firstClient(alice).caller.message.send({
      dialogId: group.id,
      clientMsgId: `limit-alice-${group.id}`,
      clientSeq: 1,
      content: text("alice"),
    });
    await Bun.sleep(1_600);
    const ack = await send(4);
    expect(ack?.seq).toBe(5);
    const after = await callers[1]?.dialog.sync({ dialogId: group.id, afterSeq: 0, limit: 10 });
    expect(after?.messages.filter((m) => m.senderId === bob.userId).map((m) => m.clientSeq)).toEqual([
      1, 2, 3, 4,
    ]);
  });
});

describe("receipts", () => {
  test("pushed in small groups, never one push per member per read in big groups (> 32 members)", async () => {
    const owner = firstClient(alice).caller;
    const others = await Promise.all(Array.from({ length: 32 }, () => h.createUser(1)));
    const big = await owner.dialog.createGroup({ title: "big", memberIds: others.map((u) => u.userId) });
    const small = await owner.dialog.createGroup({ title: "small", memberIds: [bob.userId] });
    expect(big.memberCount).toBe(33);
    for (const dialog of [big, small]) {
      await owner.message.send({
        dialogId: dialog.id,
        clientMsgId: `rc-${dialog.id}`,
        clientSeq: 1,
        content: text("read me"),
      });
    }
    const reader = others[0];
    if (!reader) throw new Error("no reader");
    await firstClient(reader).caller.dialog.markRead({ dialogId: big.id, seq: 1 });
    await firstClient(bob).caller.dialog.markRead({ dialogId: small.id, seq: 1 });
    const receipts = (dialogId: string) =>
      [alice, bob, ...others].flatMap((user) =>
        h.log.of(user.userId).filter((e) => e.type === "receipt" && e.dialogId === dialogId),
      );
    await h.log.waitFor(() => receipts(small.id).length === 2, 5_000, "small-group receipts");
    await Bun.sleep(150);
    expect(receipts(big.id)).toEqual([]);
    // The watermark itself moved: the sender still sees it through dialog.members.
    const members = await owner.dialog.members({ dialogId: big.id });
    expect(members.find((m) => m.userId === reader.userId)?.readSeq).toBe(1);
  });
});
