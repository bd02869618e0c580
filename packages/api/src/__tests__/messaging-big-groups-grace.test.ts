import { describe, expect, test } from "bun:test";
import { addMembersUnderLock } from "@parley/core/dialog";
import { relayOutbox } from "@parley/core/jobs";
import { dialogSubject } from "@parley/protocol";
import { bigGroupsFixture } from "./big-groups-harness";

/**
 * Around the big-group threshold: a switch cut short, groups below it, the fanout grace (per-member
 * publishes continue while tokens minted before the switch live), and typing shed in big groups.
 */
const {
  h,
  big,
  graced,
  published,
  barrier,
  eventsOf,
  messagesOf,
  fanoutSinceOf,
  bigFlags,
  caller,
  tokenDialogs,
  crashingBeforePublish,
  nextClientMsgId,
  send,
} = await bigGroupsFixture("msgbiggrace");

describe("small groups and the grace", () => {
  test("a switch cut short after the membership commit keeps publishing per member; the next add, a no-op retry included, completes it", async () => {
    const [ann, ben, cid] = await Promise.all([h.createUser(1), h.createUser(1), h.createUser(1)]);
    const group = await caller(big, ann).dialog.createGroup({ title: "cut short", memberIds: [ben.userId] });
    // The committed half of an add that reaches the threshold, then the process "dies": no inbox
    // marks, no fanout_since.
    const half = await addMembersUnderLock(big, group.id, "group", [{ userId: cid.userId, role: "member" }]);
    expect(half).toMatchObject({ count: 1, big: false, reachesBig: true });
    expect(await fanoutSinceOf(group.id)).toBeNull();

    let from = published.length;
    await send(big, ben, group.id);
    await barrier(big);
    // Nobody's token lists the dialog yet, so it must not go to the dialog subject.
    expect(
      messagesOf(group.id, from)
        .map((entry) => entry.subject)
        .sort(),
    ).toEqual([ann, ben, cid].map((user) => `chat.user.${user.userId}`).sort());

    await caller(big, ann).dialog.addMembers({ dialogId: group.id, userIds: [cid.userId] });
    expect(await fanoutSinceOf(group.id)).not.toBeNull();
    expect(await bigFlags(group.id, [ann, ben, cid])).toEqual([1, 1, 1]);
    from = published.length;
    await send(big, ben, group.id);
    await barrier(big);
    expect(messagesOf(group.id, from).map((entry) => entry.subject)).toEqual([dialogSubject(group.id)]);
  });

  test("a group below the threshold still publishes per member and never on its dialog subject", async () => {
    const [alice, bob] = await Promise.all([h.createUser(1), h.createUser(1)]);
    const group = await caller(big, alice).dialog.createGroup({ title: "small", memberIds: [bob.userId] });
    expect(await fanoutSinceOf(group.id)).toBeNull();
    const from = published.length;
    await send(big, alice, group.id);
    await barrier(big);
    const subjects = messagesOf(group.id, from)
      .map((entry) => entry.subject)
      .sort();
    expect(subjects).toEqual([`chat.user.${alice.userId}`, `chat.user.${bob.userId}`].sort());
    expect(await tokenDialogs(alice)).not.toContain(group.id);
  });

  test("with a grace > 0 a just-big group still publishes per member (the relay too); past it, once on the dialog subject", async () => {
    const [alice, bob, carol] = await Promise.all([h.createUser(1), h.createUser(1), h.createUser(1)]);
    // Created at the threshold: big from the start.
    const group = await caller(graced, alice).dialog.createGroup({
      title: "just big",
      memberIds: [bob.userId, carol.userId],
    });
    expect(await fanoutSinceOf(group.id)).not.toBeNull();
    expect(await bigFlags(group.id, [alice, bob, carol])).toEqual([1, 1, 1]);

    let from = published.length;
    await send(graced, alice, group.id);
    await barrier(graced);
    const perMember = [alice, bob, carol].map((user) => `chat.user.${user.userId}`).sort();
    expect(
      messagesOf(group.id, from)
        .map((entry) => entry.subject)
        .sort(),
    ).toEqual(perMember);

    // A relay with the same grace decides the same way.
    const crashing = await crashingBeforePublish(60_000);
    from = published.length;
    const crashedId = nextClientMsgId();
    await expect(send(crashing, bob, group.id)).rejects.toThrow();
    await relayOutbox({ db: h.db, events: graced.events }, { olderThanMs: 0, bigGroupFanoutGraceMs: 60_000 });
    await barrier(graced);
    expect(
      messagesOf(group.id, from, crashedId)
        .map((entry) => entry.subject)
        .sort(),
    ).toEqual(perMember);

    // The same dialog, seen by a process whose grace has passed: one publish on the dialog subject.
    from = published.length;
    await send(big, carol, group.id);
    await barrier(big);
    expect(messagesOf(group.id, from).map((entry) => entry.subject)).toEqual([dialogSubject(group.id)]);
  });

  test("typing is shed in a big group (the same threshold option)", async () => {
    const [alice, bob, carol] = await Promise.all([h.createUser(1), h.createUser(1), h.createUser(1)]);
    const small = await caller(big, alice).dialog.createGroup({ title: "t small", memberIds: [bob.userId] });
    const large = await caller(big, alice).dialog.createGroup({
      title: "t big",
      memberIds: [bob.userId, carol.userId],
    });
    const from = published.length;
    await caller(big, alice).dialog.typing({ dialogId: small.id });
    await caller(big, alice).dialog.typing({ dialogId: large.id });
    await barrier(big);
    const typing = eventsOf(published.slice(from)).filter((entry) => entry.event.type === "typing");
    expect(
      typing.map((entry) => [entry.subject, entry.event.type === "typing" && entry.event.dialogId]),
    ).toEqual([[`chat.user.${bob.userId}`, small.id]]);
  });
});

describe("vitess", () => {
  test("no statement scattered across shards (the big-group marking and token reads included)", () => {
    const statements = [...h.testDb.statements];
    expect(statements.some((text) => /update\s+`?user_dialogs`?\s+set\s+`?big`?/i.test(text))).toBe(true);
    expect(statements.some((text) => /user_dialogs_big_idx|`big`\s*=/i.test(text))).toBe(true);
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
