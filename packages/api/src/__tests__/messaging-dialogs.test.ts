import { describe, expect, test } from "bun:test";
import { directDialogId } from "@parley/core/dialog";
import { firstClient, messagingFixture, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob, carol],
} = await messagingFixture("msgdialogs", [2, 1, 1]);

describe("direct dialogs", () => {
  test("both users opening at once get the same dialog, id derived from the pair with bit 63 set", async () => {
    const [a, b] = await Promise.all([
      firstClient(alice).caller.dialog.openDirect({ userId: bob.userId }),
      firstClient(bob).caller.dialog.openDirect({ userId: alice.userId }),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.id).toBe(directDialogId(alice.userId, bob.userId));
    expect(BigInt(a.id) >= 1n << 63n).toBe(true);
    expect(a.peerUserId).toBe(bob.userId);
    expect(b.peerUserId).toBe(alice.userId);
    const again = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    expect(again.memberCount).toBe(2);
  });

  test("send → ack, push to every member's clients, sync, inbox with unread count", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    const ack = await firstClient(alice).caller.message.send({
      dialogId: dialog.id,
      clientMsgId: "m-1",
      clientSeq: 1,
      content: text("hello bob"),
    });
    expect(ack.seq).toBe(1);
    await h.log.waitFor(
      () =>
        h.log.messagesOf(bob.userId, dialog.id).length === 1 &&
        h.log.messagesOf(alice.userId, dialog.id).length === 1,
      5_000,
      "pushes to bob and alice's other client",
    );
    const pushed = h.log.messagesOf(bob.userId, dialog.id)[0];
    expect(pushed?.prevSeq).toBe(0);
    expect(pushed?.message.content).toEqual(text("hello bob"));

    const page = await firstClient(bob).caller.dialog.sync({ dialogId: dialog.id, afterSeq: 0, limit: 10 });
    expect(page.messages.map((m) => m.seq)).toEqual([1]);
    expect(page.messages[0]?.id).toBe(ack.msgId);

    const bobInbox = await firstClient(bob).caller.dialog.list({ limit: 10 });
    const entry = bobInbox.items.find((item) => item.id === dialog.id);
    expect(entry?.unreadCount).toBe(1);
    expect(entry?.lastMessage?.preview).toBe("hello bob");
    const aliceInbox = await firstClient(alice).caller.dialog.list({ limit: 10 });
    expect(aliceInbox.items.find((item) => item.id === dialog.id)?.unreadCount).toBe(0);
  });
});

describe("groups", () => {
  test("create, members with watermarks, admins add/remove, removed member stops receiving at once", async () => {
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "team",
      memberIds: [bob.userId],
    });
    expect(group.role).toBe("owner");
    expect(group.memberCount).toBe(2);
    await expect(
      firstClient(bob).caller.dialog.addMembers({ dialogId: group.id, userIds: [carol.userId] }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await firstClient(alice).caller.dialog.addMembers({ dialogId: group.id, userIds: [carol.userId] });
    const members = await firstClient(carol).caller.dialog.members({ dialogId: group.id });
    expect(members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId, carol.userId].sort());

    await firstClient(alice).caller.message.send({
      dialogId: group.id,
      clientMsgId: "g-1",
      clientSeq: 1,
      content: text("to all three"),
    });
    await h.log.waitFor(() => h.log.messagesOf(carol.userId, group.id).length === 1, 5_000, "carol's push");

    await firstClient(alice).caller.dialog.removeMember({ dialogId: group.id, userId: carol.userId });
    const dialogEvents = h.log.of(carol.userId).filter((e) => e.type === "dialog" && e.dialogId === group.id);
    await h.log.waitFor(
      () => h.log.of(carol.userId).some((e) => e.type === "dialog" && e.change === "left"),
      5_000,
      "carol's left event",
    );
    expect(dialogEvents.length).toBeGreaterThan(0);
    await firstClient(bob).caller.message.send({
      dialogId: group.id,
      clientMsgId: "g-2",
      clientSeq: 1,
      content: text("carol is gone"),
    });
    await h.log.waitFor(() => h.log.messagesOf(alice.userId, group.id).length >= 2, 5_000, "alice's push");
    await Bun.sleep(100);
    expect(h.log.messagesOf(carol.userId, group.id).length).toBe(1);
    await expect(
      firstClient(carol).caller.dialog.sync({ dialogId: group.id, afterSeq: 0, limit: 10 }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const carolInbox = await firstClient(carol).caller.dialog.list({ limit: 50 });
    expect(carolInbox.items.some((item) => item.id === group.id)).toBe(false);

    await firstClient(bob).caller.dialog.leave({ dialogId: group.id });
    await expect(firstClient(bob).caller.dialog.get({ dialogId: group.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("inbox, late joiners, typing", () => {
  test("the inbox is ordered by latest activity and pages by cursor", async () => {
    const dave = await h.createUser(1);
    const caller = firstClient(dave).caller;
    const groups = [];
    for (const title of ["one", "two", "three"]) {
      groups.push(await caller.dialog.createGroup({ title, memberIds: [bob.userId] }));
      await Bun.sleep(5);
    }
    // Activity in "one" moves it to the top.
    await caller.message.send({
      dialogId: groups[0]?.id ?? "",
      clientMsgId: "inbox-1",
      clientSeq: 1,
      content: text("bump"),
    });
    const first = await caller.dialog.list({ limit: 2 });
    expect(first.items.map((item) => item.title)).toEqual(["one", "three"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await caller.dialog.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((item) => item.title)).toEqual(["two"]);
    expect(second.nextCursor).toBeNull();
  });

  test("a member added later sees only what is sent after joining; typing reaches the others only", async () => {
    const owner = firstClient(alice).caller;
    const group = await owner.dialog.createGroup({ title: "late", memberIds: [bob.userId] });
    for (let clientSeq = 1; clientSeq <= 3; clientSeq++) {
      await owner.message.send({
        dialogId: group.id,
        clientMsgId: `late-${clientSeq}`,
        clientSeq,
        content: text("early"),
      });
    }
    await owner.dialog.addMembers({ dialogId: group.id, userIds: [carol.userId] });
    await owner.message.send({
      dialogId: group.id,
      clientMsgId: "late-4",
      clientSeq: 4,
      content: text("after"),
    });
    const page = await firstClient(carol).caller.dialog.sync({ dialogId: group.id, afterSeq: 0, limit: 50 });
    expect(page.messages.map((m) => m.seq)).toEqual([4]);
    const history = await firstClient(carol).caller.dialog.history({ dialogId: group.id, limit: 50 });
    expect(history.messages.map((m) => m.seq)).toEqual([4]);
    const view = await firstClient(carol).caller.dialog.get({ dialogId: group.id });
    expect(view.unreadCount).toBe(1);

    await firstClient(bob).caller.dialog.typing({ dialogId: group.id });
    const typedTo = (userId: string) =>
      h.log.of(userId).some((e) => e.type === "typing" && e.dialogId === group.id && e.userId === bob.userId);
    await h.log.waitFor(() => typedTo(alice.userId) && typedTo(carol.userId), 5_000, "typing events");
    expect(typedTo(bob.userId)).toBe(false);
  });
});
