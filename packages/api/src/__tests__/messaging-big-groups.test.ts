import { beforeAll, describe, expect, test } from "bun:test";
import { relayOutbox } from "@parley/core/jobs";
import { insertUserDialogIfAbsent } from "@parley/db/queries";
import { dialogSubject, MAX_TOKEN_BIG_DIALOGS, REALTIME_TOKEN_DIALOGS_CLAIM } from "@parley/protocol";
import { bigGroupsFixture } from "./big-groups-harness";
import type { TestUser } from "./messaging-harness";

/**
 * Big groups (the threshold lowered to 3, no grace): the switch to one publish per message on the
 * dialog subject, the members' big flags and token claims, joins and removals, and the relay.
 */
const {
  h,
  big,
  published,
  barrier,
  eventsOf,
  messagesOf,
  dialogEventsOf,
  fanoutSinceOf,
  bigFlags,
  claimsOf,
  caller,
  tokenDialogs,
  crashingBeforePublish,
  nextClientMsgId,
  send,
} = await bigGroupsFixture("msgbig");

describe("big groups (threshold 3, grace 0)", () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let eve: TestUser;
  let dialogId: string;

  beforeAll(async () => {
    [alice, bob, carol, dave, eve] = await Promise.all([
      h.createUser(1),
      h.createUser(1),
      h.createUser(1),
      h.createUser(1),
      h.createUser(1),
    ]);
  });

  test("a group reaching 3 members gets fanout_since, every member's inbox row is marked big, and every member hears big: true", async () => {
    const group = await caller(big, alice).dialog.createGroup({ title: "grows", memberIds: [bob.userId] });
    dialogId = group.id;
    expect(await fanoutSinceOf(dialogId)).toBeNull();
    expect(await bigFlags(dialogId, [alice, bob])).toEqual([0, 0]);

    const from = published.length;
    await caller(big, alice).dialog.addMembers({ dialogId, userIds: [carol.userId] });
    expect(await fanoutSinceOf(dialogId)).not.toBeNull();
    expect(await bigFlags(dialogId, [alice, bob, carol])).toEqual([1, 1, 1]);

    await barrier(big);
    const events = dialogEventsOf(dialogId, from);
    const changeOf = (user: TestUser) =>
      events.filter((entry) => entry.subject === `chat.user.${user.userId}`).map((entry) => entry.event);
    expect(changeOf(carol)).toEqual([{ type: "dialog", dialogId, change: "joined", lastSeq: 0, big: true }]);
    for (const member of [alice, bob]) {
      expect(changeOf(member)).toEqual([
        { type: "dialog", dialogId, change: "updated", lastSeq: 0, big: true },
      ]);
    }
    // Membership events never travel on the dialog subject.
    expect(events.filter((entry) => entry.subject === dialogSubject(dialogId))).toEqual([]);
  });

  test("a message in it is published exactly once, on chat.dialog.<id>, and on no chat.user.* subject", async () => {
    const from = published.length;
    const ack = await send(big, bob, dialogId);
    await barrier(big);
    const messages = messagesOf(dialogId, from);
    expect(messages.map((entry) => entry.subject)).toEqual([dialogSubject(dialogId)]);
    const [only] = messages;
    if (only?.event.type !== "message") throw new Error("no message event");
    expect(only.event.seq).toBe(ack.seq);
    expect(only.event.message.id).toBe(ack.msgId);
    expect(only.event.prevSeq).toBe(ack.seq - 1);
    // The same JSON a member subject would carry: `type` first, so gateways shed by prefix.
    expect(only.data.startsWith('{"type":"message"')).toBe(true);
    // Nothing of this dialog on any user subject (other traffic on a shared NATS is not ours to judge).
    const onUserSubjects = eventsOf(published.slice(from)).filter(
      (entry) =>
        entry.subject.startsWith("chat.user.") &&
        "dialogId" in entry.event &&
        entry.event.dialogId === dialogId,
    );
    expect(onUserSubjects).toEqual([]);
  });

  test("receipts are not pushed in a big group, even one below the receipt limit", async () => {
    const from = published.length;
    await caller(big, carol).dialog.markRead({ dialogId, seq: 1 });
    await barrier(big);
    const receipts = eventsOf(published.slice(from)).filter((entry) => entry.event.type === "receipt");
    expect(receipts).toEqual([]);
  });

  test("a member added later is marked big, hears joined with big: true, and its token lists the dialog", async () => {
    expect(await tokenDialogs(dave)).not.toContain(dialogId);
    const from = published.length;
    await caller(big, alice).dialog.addMembers({ dialogId, userIds: [dave.userId] });
    expect(await bigFlags(dialogId, [dave])).toEqual([1]);
    await barrier(big);
    const joined = dialogEventsOf(dialogId, from).filter(
      (entry) => entry.subject === `chat.user.${dave.userId}`,
    );
    expect(joined.map((entry) => entry.event)).toEqual([
      { type: "dialog", dialogId, change: "joined", lastSeq: 1, big: true },
    ]);
    expect(await tokenDialogs(dave)).toEqual([dialogId]);
    for (const member of [alice, bob, carol]) expect(await tokenDialogs(member)).toContain(dialogId);
  });

  test("a removed member gets a left event with big: true and its next token no longer lists the dialog", async () => {
    const from = published.length;
    await caller(big, alice).dialog.removeMember({ dialogId, userId: dave.userId });
    expect(await bigFlags(dialogId, [dave])).toEqual([null]);
    await barrier(big);
    const toDave = dialogEventsOf(dialogId, from).filter(
      (entry) => entry.subject === `chat.user.${dave.userId}`,
    );
    expect(toDave.map((entry) => entry.event)).toEqual([
      { type: "dialog", dialogId, change: "left", lastSeq: 1, big: true },
    ]);
    expect(await tokenDialogs(dave)).not.toContain(dialogId);
    expect(await tokenDialogs(alice)).toContain(dialogId);
  });

  test("a non-member's token never lists it, and a user in no big group gets no dlg claim at all", async () => {
    expect(await tokenDialogs(eve)).toEqual([]);
    const { token } = await caller(big, eve).auth.realtimeToken();
    expect(claimsOf(token)[REALTIME_TOKEN_DIALOGS_CLAIM]).toBeUndefined();
    const { token: alices } = await caller(big, alice).auth.realtimeToken();
    expect(claimsOf(alices)[REALTIME_TOKEN_DIALOGS_CLAIM]).toEqual([dialogId]);
  });

  test("a user in more big groups than a token lists gets the newest MAX_TOKEN_BIG_DIALOGS and unlistedBigDialogs", async () => {
    const fan = await h.createUser(1);
    // Inbox rows marked big, written directly on the fan's shard (what joining that many groups leaves).
    const markBig = async (count: number, offset: number) => {
      for (let i = 0; i < count; i++) {
        await insertUserDialogIfAbsent(h.db, {
          userId: fan.userId,
          dialogId: String(7_000_000_000_000 + offset + i),
          kind: "group",
          peerUserId: null,
          joinedAt: new Date(),
          big: true,
        });
      }
    };
    await markBig(MAX_TOKEN_BIG_DIALOGS, 0);
    const full = await caller(big, fan).auth.realtimeToken();
    expect(full.unlistedBigDialogs).toBe(false);
    expect(claimsOf(full.token)[REALTIME_TOKEN_DIALOGS_CLAIM]).toHaveLength(MAX_TOKEN_BIG_DIALOGS);

    await markBig(1, MAX_TOKEN_BIG_DIALOGS);
    const over = await caller(big, fan).auth.realtimeToken();
    expect(over.unlistedBigDialogs).toBe(true);
    const listed = claimsOf(over.token)[REALTIME_TOKEN_DIALOGS_CLAIM] as string[];
    expect(listed).toHaveLength(MAX_TOKEN_BIG_DIALOGS);
    // Newest first: the one added last is listed, the oldest is the one left out.
    expect(listed).toContain(String(7_000_000_000_000 + MAX_TOKEN_BIG_DIALOGS));
    expect(listed).not.toContain(String(7_000_000_000_000));
    expect((await caller(big, eve).auth.realtimeToken()).unlistedBigDialogs).toBe(false);
  });

  test("the relay republishes a crashed send of a big group on the dialog subject only", async () => {
    const crashing = await crashingBeforePublish(0);
    const from = published.length;
    const clientMsgId = nextClientMsgId();
    await expect(send(crashing, alice, dialogId)).rejects.toThrow();
    await barrier(crashing);
    expect(messagesOf(dialogId, from, clientMsgId)).toEqual([]);

    const relayed = await relayOutbox(
      { db: h.db, events: big.events },
      { olderThanMs: 0, bigGroupFanoutGraceMs: 0 },
    );
    expect(relayed.published).toBeGreaterThanOrEqual(1);
    await barrier(big);
    const messages = messagesOf(dialogId, from, clientMsgId);
    expect(messages.map((entry) => entry.subject)).toEqual([dialogSubject(dialogId)]);
    // Whatever else the relay republished for this dialog went out on its subject too.
    expect(messagesOf(dialogId, from).filter((entry) => entry.subject !== dialogSubject(dialogId))).toEqual(
      [],
    );
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
