import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { AuthConfig } from "@parley/auth";
import { createAuthService, verifyRealtimeToken } from "@parley/auth";
import { createTestAuthConfig } from "@parley/auth/testing";
import type { MessagingOptions } from "@parley/core";
import { addMembersUnderLock } from "@parley/core/dialog";
import { relayOutbox } from "@parley/core/jobs";
import { insertUserDialogIfAbsent } from "@parley/db/queries";
import {
  dialogSubject,
  MAX_TOKEN_BIG_DIALOGS,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  type TUserEvent,
  ZUserEvent,
} from "@parley/protocol";
import { TEST_NATS_URL } from "@parley/testkit";
import { sql } from "drizzle-orm";
import type { ApiServices } from "../context";
import {
  createMessagingHarness,
  firstClient,
  type MessagingHarness,
  TEST_MESSAGING,
  type TestUser,
  text,
} from "./messaging-harness";

/**
 * Big groups with the threshold lowered to 3 members. Every publish is captured raw on `chat.>`
 * (subject + text). "Nothing else was published" is checked behind a barrier: a sentinel published
 * on the same NATS connection after the step under test arrives after everything that step published.
 */
const BIG: MessagingOptions = { ...TEST_MESSAGING, bigGroupMinMembers: 3, bigGroupFanoutGraceMs: 0 };

type Published = { subject: string; data: string };

let h: MessagingHarness;
let nats: NatsConnection;
const published: Published[] = [];
let authConfig: AuthConfig;
/** Threshold 3, grace 0: big groups switch to the dialog subject at once. */
let big: ApiServices;
/** Threshold 3, grace 60 s: a just-big group still publishes per member. */
let graced: ApiServices;
let barriers = 0;

async function withAuth(messaging: MessagingOptions): Promise<ApiServices> {
  const services = await h.createServices({ messaging });
  const auth = createAuthService(authConfig, {
    db: services.db,
    redis: services.redis,
    events: services.events,
    ids: services.ids,
  });
  return { ...services, auth };
}

beforeAll(async () => {
  h = await createMessagingHarness("msgbig");
  nats = await connect({ servers: TEST_NATS_URL, name: "test-msgbig-capture" });
  nats.subscribe("chat.>", {
    callback: (error, msg) => {
      if (!error) published.push({ subject: msg.subject, data: msg.string() });
    },
  });
  await nats.flush();
  authConfig = await createTestAuthConfig();
  big = await withAuth(BIG);
  graced = await withAuth({ ...BIG, bigGroupFanoutGraceMs: 60_000 });
});
afterAll(async () => {
  await nats?.close();
  await h?.close();
});

/** Waits until everything `services` published before this call has reached the capture. */
async function barrier(services: ApiServices): Promise<void> {
  const subject = `chat.test.barrier.${++barriers}`;
  services.events.publish(subject, { barrier: barriers });
  const deadline = Date.now() + 10_000;
  while (!published.some((entry) => entry.subject === subject)) {
    if (Date.now() > deadline) throw new Error(`barrier ${subject} never arrived`);
    await Bun.sleep(5);
  }
}

const eventsOf = (entries: Published[]): (Published & { event: TUserEvent })[] =>
  entries.flatMap((entry) => {
    if (entry.subject.startsWith("chat.test.")) return [];
    const parsed = ZUserEvent.safeParse(JSON.parse(entry.data));
    return parsed.success ? [{ ...entry, event: parsed.data }] : [];
  });

/**
 * Message events of one dialog published from `from` on (an index into `published`); with
 * `clientMsgId`, of that message only (a relay may also republish rows whose batched delete is pending).
 */
function messagesOf(dialogId: string, from: number, clientMsgId?: string) {
  return eventsOf(published.slice(from)).filter(
    (entry) =>
      entry.event.type === "message" &&
      entry.event.dialogId === dialogId &&
      (clientMsgId === undefined || entry.event.message.clientMsgId === clientMsgId),
  );
}

function dialogEventsOf(dialogId: string, from: number) {
  return eventsOf(published.slice(from)).flatMap((entry) =>
    entry.event.type === "dialog" && entry.event.dialogId === dialogId
      ? [{ subject: entry.subject, event: entry.event }]
      : [],
  );
}

type Row = Record<string, unknown>;
async function query(statement: ReturnType<typeof sql>): Promise<Row[]> {
  const [rows] = (await h.db.execute(statement)) as unknown as [Row[]];
  return rows;
}

async function fanoutSinceOf(dialogId: string): Promise<unknown> {
  const rows = await query(sql`SELECT fanout_since FROM dialogs WHERE id = ${dialogId}`);
  return rows[0]?.fanout_since ?? null;
}

/** user_dialogs.big of each user for this dialog (user shard: one statement per user). */
async function bigFlags(dialogId: string, users: TestUser[]): Promise<(number | null)[]> {
  const flags: (number | null)[] = [];
  for (const user of users) {
    const rows = await query(
      sql`SELECT big FROM user_dialogs WHERE user_id = ${user.userId} AND dialog_id = ${dialogId}`,
    );
    flags.push(rows[0] ? Number(rows[0].big) : null);
  }
  return flags;
}

/** The token's claims as signed (the verifier already checked the signature in tokenDialogs). */
function claimsOf(token: string): Record<string, unknown> {
  const [, payload] = token.split(".");
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

const caller = (services: ApiServices, user: TestUser) =>
  h.callerFor(services, user.userId, firstClient(user).clientId);

async function tokenDialogs(user: TestUser): Promise<string[]> {
  const { token } = await caller(big, user).auth.realtimeToken();
  const verified = await verifyRealtimeToken(authConfig.realtimeTokenPublicKey, token);
  expect(verified.userId).toBe(user.userId);
  return verified.dialogIds;
}

/** A process whose sends crash after Confirm, before publishing (the outbox row stays for the relay). */
function crashingBeforePublish(bigGroupFanoutGraceMs: number): Promise<ApiServices> {
  const crash = () => {
    throw new Error("injected crash before publish");
  };
  return h.createServices({ messaging: { ...BIG, bigGroupFanoutGraceMs, faults: { beforePublish: crash } } });
}

let sendSeq = 0;
/** The clientMsgId the next `send` uses. */
const nextClientMsgId = () => `big-${sendSeq + 1}`;
async function send(services: ApiServices, user: TestUser, dialogId: string) {
  sendSeq++;
  return caller(services, user).message.send({
    dialogId,
    clientMsgId: `big-${sendSeq}`,
    clientSeq: await nextClientSeq(user, dialogId),
    content: text(`hello ${sendSeq}`),
  });
}

async function nextClientSeq(user: TestUser, dialogId: string): Promise<number> {
  const rows = await query(
    sql`SELECT last_client_seq FROM dialog_client_seqs
         WHERE dialog_id = ${dialogId} AND client_id = ${firstClient(user).clientId}`,
  );
  return Number(rows[0]?.last_client_seq ?? 0) + 1;
}

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
