import { describe, expect, test } from "bun:test";
import type { TMessage, TMessageEvent, TSendContent } from "@parley/protocol";
import { sql } from "drizzle-orm";
import { firstClient, messagingFixture, type TestUser, text } from "./messaging-harness";

/**
 * Edit, delete, reactions and replies through the real send path (MariaDB, NATS): each change is an
 * event in the dialog's order with its own seq, applied under the dialog lock, pushed with its
 * target's state, and folded into sync/history pages.
 */

const {
  h,
  users: [alice, bob, carol],
} = await messagingFixture("lifecycle", [2, 1, 1]);

/** One client's pipeline: clientSeq 1, 2, 3… per dialog, a fresh clientMsgId per send. */
function sender(user: TestUser, dialogId: string, clientIndex = 0) {
  const client = user.clients[clientIndex] ?? firstClient(user);
  let clientSeq = 0;
  let n = 0;
  return {
    caller: client.caller,
    send: (content: TSendContent) =>
      client.caller.message.send({
        dialogId,
        clientMsgId: `${client.clientId}-${dialogId}-${++n}`,
        clientSeq: ++clientSeq,
        content,
      }),
    /** The number a refused send did not consume is the next one again. */
    unconsume: () => {
      clientSeq--;
    },
  };
}

const page = async (user: TestUser, dialogId: string) =>
  (await firstClient(user).caller.dialog.sync({ dialogId, afterSeq: 0, limit: 200 })).messages;
const byId = (messages: TMessage[], id: string) => messages.find((m) => m.id === id);

async function pushOf(user: TestUser, dialogId: string, seq: number): Promise<TMessageEvent> {
  let found: TMessageEvent | undefined;
  await h.log.waitFor(
    () => {
      found = h.log.messagesOf(user.userId, dialogId).find((event) => event.seq === seq);
      return found !== undefined;
    },
    5_000,
    `push ${seq}`,
  );
  if (!found) throw new Error("unreachable");
  return found;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; cause?: { details?: { reason?: unknown } } };
    return { code: e.code ?? "?", reason: e.cause?.details?.reason };
  }
  throw new Error("expected a refusal");
}

describe("edit", () => {
  test("takes its own seq, updates the message for everyone, and a page shows the current text", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    const a = sender(alice, dialog.id);
    const original = await a.send(text("helo"));
    const edit = await a.send({ kind: "edit", target: original.msgId, text: "hello" });
    expect(edit.seq).toBe(original.seq + 1);

    const push = await pushOf(bob, dialog.id, edit.seq);
    expect(push.prevSeq).toBe(original.seq);
    expect(push.message.content).toMatchObject({ kind: "edit", target: original.msgId });
    expect(push.message.target).toMatchObject({
      id: original.msgId,
      seq: original.seq,
      content: { kind: "text", text: "hello" },
      state: { version: edit.seq },
    });
    expect(push.message.target?.state.editedAt).toBeNumber();

    const rows = await page(bob, dialog.id);
    expect(rows.map((m) => m.seq)).toEqual([original.seq, edit.seq]);
    expect(byId(rows, original.msgId)).toMatchObject({
      content: { kind: "text", text: "hello" },
      state: { version: edit.seq },
    });
    // A second edit wins; the version only ever grows.
    const again = await a.send({ kind: "edit", target: original.msgId, text: "hello there" });
    const [row] = (await h.db.execute(
      sql`SELECT version, JSON_VALUE(content, '$.text') AS text FROM messages
           WHERE dialog_id = ${dialog.id} AND id = ${original.msgId}`,
    )) as unknown as [{ version: unknown; text: string }[]];
    expect(Number(row[0]?.version)).toBe(again.seq);
    expect(row[0]?.text).toBe("hello there");
  });

  test("another person's message cannot be edited; the refusal consumes no clientSeq", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    const a = sender(alice, dialog.id, 1);
    const b = sender(bob, dialog.id);
    const original = await a.send(text("mine"));
    const refused = await refusal(b.send({ kind: "edit", target: original.msgId, text: "yours now" }));
    expect(refused).toEqual({ code: "FORBIDDEN", reason: "not_allowed" });
    b.unconsume();
    const next = await b.send(text("fine"));
    expect(next.seq).toBe(original.seq + 1);
    expect(await refusal(b.send({ kind: "edit", target: "123456789", text: "x" }))).toEqual({
      code: "NOT_FOUND",
      reason: "message_not_found",
    });
  });
});

describe("delete", () => {
  test("leaves a tombstone; the text is gone from the server (edits too) and nothing more applies", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: carol.userId });
    const a = sender(alice, dialog.id);
    const c = sender(carol, dialog.id);
    const original = await a.send(text("secret draft"));
    await a.send({ kind: "edit", target: original.msgId, text: "secret v2" });
    await c.send({ kind: "reaction", target: original.msgId, emoji: "👍", on: true });
    const deletion = await a.send({ kind: "delete", target: original.msgId });

    const push = await pushOf(carol, dialog.id, deletion.seq);
    expect(push.message.target).toMatchObject({ content: { kind: "deleted" }, state: { reactions: [] } });
    const rows = await page(carol, dialog.id);
    expect(byId(rows, original.msgId)?.content).toEqual({ kind: "deleted" });
    const stored = (await h.db.execute(
      sql`SELECT content FROM messages WHERE dialog_id = ${dialog.id}`,
    )) as unknown as [{ content: unknown }[]];
    expect(JSON.stringify(stored[0])).not.toContain("secret");
    // The inbox preview follows the deleted last message.
    const inbox = await firstClient(carol).caller.dialog.list();
    expect(inbox.items.find((d) => d.id === dialog.id)?.lastMessage?.preview).toBe("message deleted");

    expect(await refusal(a.send({ kind: "edit", target: original.msgId, text: "back" }))).toEqual({
      code: "NOT_FOUND",
      reason: "message_deleted",
    });
    a.unconsume();
    expect(
      await refusal(c.send({ kind: "reaction", target: original.msgId, emoji: "🎉", on: true })),
    ).toEqual({
      code: "NOT_FOUND",
      reason: "message_deleted",
    });
    c.unconsume();
    // A retry of the delete (same clientMsgId) gets its original ack, even though the message is gone.
    const retried = await firstClient(alice).caller.message.send({
      dialogId: dialog.id,
      clientMsgId: `${firstClient(alice).clientId}-${dialog.id}-3`,
      clientSeq: 3,
      content: { kind: "delete", target: original.msgId },
    });
    expect(retried).toEqual(deletion);
  });

  test("in a group the owner deletes anyone's message; a member deletes only their own", async () => {
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "life",
      memberIds: [bob.userId, carol.userId],
    });
    const a = sender(alice, group.id);
    const b = sender(bob, group.id);
    const byBob = await b.send(text("from bob"));
    const byAlice = await a.send(text("from alice"));
    expect(await refusal(b.send({ kind: "delete", target: byAlice.msgId }))).toEqual({
      code: "FORBIDDEN",
      reason: "not_allowed",
    });
    const removed = await a.send({ kind: "delete", target: byBob.msgId });
    expect(removed.seq).toBe(byAlice.seq + 1);
    expect(byId(await page(carol, group.id), byBob.msgId)?.content).toEqual({ kind: "deleted" });
  });
});

describe("reactions", () => {
  test("one per (user, message, emoji), counted on the server; pages say which are mine", async () => {
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "react",
      memberIds: [bob.userId, carol.userId],
    });
    const a = sender(alice, group.id);
    const b = sender(bob, group.id);
    const c = sender(carol, group.id);
    const original = await a.send(text("party?"));
    await b.send({ kind: "reaction", target: original.msgId, emoji: "🎉", on: true });
    await b.send({ kind: "reaction", target: original.msgId, emoji: "🎉", on: true }); // a no-op
    await c.send({ kind: "reaction", target: original.msgId, emoji: "🎉", on: true });
    const last = await c.send({ kind: "reaction", target: original.msgId, emoji: "👍", on: true });
    const push = await pushOf(alice, group.id, last.seq);
    expect(push.message.target?.state.reactions).toEqual([
      { emoji: "🎉", count: 2, userIds: [bob.userId, carol.userId] },
      { emoji: "👍", count: 1, userIds: [carol.userId] },
    ]);
    const off = await b.send({ kind: "reaction", target: original.msgId, emoji: "🎉", on: false });
    const forCarol = byId(await page(carol, group.id), original.msgId);
    expect(forCarol?.state).toMatchObject({
      version: off.seq,
      reactions: [
        { emoji: "🎉", count: 1, userIds: [carol.userId], mine: true },
        { emoji: "👍", count: 1, mine: true },
      ],
    });
    const forBob = byId(await page(bob, group.id), original.msgId);
    expect(forBob?.state?.reactions.map((r) => r.mine)).toEqual([false, false]);
    // The inbox preview ignores changes: the last message is still "party?". Alice read it, so
    // the reactions since leave her caught up.
    await firstClient(alice).caller.dialog.markRead({ dialogId: group.id, seq: original.seq });
    await b.send({ kind: "reaction", target: original.msgId, emoji: "🎉", on: true });
    const inbox = await firstClient(alice).caller.dialog.list();
    const row = inbox.items.find((d) => d.id === group.id);
    expect(row?.lastMessage?.preview).toBe("party?");
    expect(row?.unreadCount).toBe(0);
  });

  test("bad input is refused with a clear error", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    const input = { dialogId: dialog.id, clientMsgId: "bad-emoji", clientSeq: 1 };
    for (const content of [
      { kind: "reaction", target: "1", emoji: "abc", on: true },
      { kind: "reaction", target: "1", emoji: "👍" },
      { kind: "edit", target: "1", text: "   " },
      { kind: "delete" },
    ]) {
      const refused = await refusal(
        firstClient(carol).caller.message.send({ ...input, content: content as TSendContent }),
      );
      expect(refused.code).toBe("BAD_REQUEST");
    }
    // Not a member: the dialog does not exist for them.
    const stranger = await refusal(
      firstClient(carol).caller.message.send({ ...input, content: { kind: "delete", target: "1" } }),
    );
    expect(stranger.code).toBe("NOT_FOUND");
  });
});

describe("replies", () => {
  test("carry a server-built quote in pushes and pages; it follows the original's edit and delete", async () => {
    const dialog = await firstClient(carol).caller.dialog.openDirect({ userId: bob.userId });
    const a = sender(carol, dialog.id);
    const b = sender(bob, dialog.id);
    const original = await a.send(text("lunch at noon?"));
    const reply = await b.send({ kind: "text", text: "yes!", replyTo: original.msgId });
    const push = await pushOf(carol, dialog.id, reply.seq);
    expect(push.message.reply).toEqual({
      id: original.msgId,
      seq: original.seq,
      senderId: carol.userId,
      text: "lunch at noon?",
    });
    await a.send({ kind: "edit", target: original.msgId, text: "lunch at one?" });
    expect(byId(await page(bob, dialog.id), reply.msgId)?.reply?.text).toBe("lunch at one?");
    await a.send({ kind: "delete", target: original.msgId });
    expect(byId(await page(bob, dialog.id), reply.msgId)?.reply?.text).toBeNull();
    expect(await refusal(b.send({ kind: "text", text: "?", replyTo: "987654321" }))).toEqual({
      code: "NOT_FOUND",
      reason: "message_not_found",
    });
  });
});
