/**
 * Names, group titles, mute and last seen through the real router, UAA, MariaDB, Redis and NATS:
 * who may change what, who hears about it live, and what a later read answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { schema } from "@parley/db";
import { insertAttachment, markAttachmentUploaded } from "@parley/db/queries";
import { type TUserEvent, ZUserEvent } from "@parley/protocol";
import { TEST_NATS_URL } from "@parley/testkit";
import { and, eq } from "drizzle-orm";
import { failure, type SecurityHarness, securityFixture } from "./security-harness";

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let nats: NatsConnection;
const heard = new Map<string, TUserEvent[]>();
let alice: User;
let bob: User;
let carol: User;
let mallory: User;
let groupId: string;
let directId: string;

const h = await securityFixture("profiles");

beforeAll(async () => {
  nats = await connect({ servers: TEST_NATS_URL, name: "profiles-test" });
  nats.subscribe("chat.user.>", {
    callback: (error, msg) => {
      if (error) return;
      const userId = msg.subject.slice("chat.user.".length);
      const list = heard.get(userId) ?? [];
      list.push(ZUserEvent.parse(JSON.parse(msg.string())));
      heard.set(userId, list);
    },
  });
  await nats.flush();
  [alice, bob, carol, mallory] = await Promise.all([
    h.user("alice"),
    h.user("bob"),
    h.user("carol"),
    h.user("mallory"),
  ]);
  directId = (await alice.call.dialog.openDirect({ userId: bob.userId })).id;
  groupId = (
    await alice.call.dialog.createGroup({ title: "book club", memberIds: [bob.userId, carol.userId] })
  ).id;
});
afterAll(async () => {
  await nats?.close();
});

async function heardBy(userId: string, match: (event: TUserEvent) => boolean): Promise<TUserEvent> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (heard.get(userId) ?? []).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`user ${userId} heard no such event`);
    await Bun.sleep(10);
  }
}

describe("display names", () => {
  test("a new name is stored, versioned, pushed to the user and their contacts, and read back", async () => {
    const before = (await bob.call.user.byIds({ ids: [alice.userId] }))[0];
    const updated = await alice.call.user.updateProfile({ displayName: "  Alice Liddell " });
    expect(updated.displayName).toBe("Alice Liddell");
    expect(updated.version).toBe((before?.version ?? 0) + 1);
    for (const userId of [alice.userId, bob.userId, carol.userId]) {
      const event = await heardBy(userId, (e) => e.type === "profile" && e.userId === alice.userId);
      expect(event).toMatchObject({ displayName: "Alice Liddell", version: updated.version });
    }
    // Nobody outside her dialogs hears it.
    await Bun.sleep(100);
    expect((heard.get(mallory.userId) ?? []).some((e) => e.type === "profile")).toBe(false);
    expect((await bob.call.user.byIds({ ids: [alice.userId] }))[0]).toMatchObject({
      displayName: "Alice Liddell",
      version: updated.version,
    });
  });

  test("names the sign-up rules refuse are refused here too, and nothing is written", async () => {
    for (const displayName of ["evil\u202Egnp.exe", "\u200B\u200B", "   ", "x".repeat(65)]) {
      expect(await failure(() => alice.call.user.updateProfile({ displayName }))).toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    expect(await failure(() => alice.call.user.updateProfile({}))).toMatchObject({ code: "BAD_REQUEST" });
    const [row] = await h.testDb.db
      .select({ name: schema.users.displayName })
      .from(schema.users)
      .where(eq(schema.users.id, alice.userId));
    expect(row?.name).toBe("Alice Liddell");
  });
});

describe("group title", () => {
  test("the owner renames: every member hears groupInfo, dialog.list and dialog.get answer the title", async () => {
    const renamed = await alice.call.dialog.updateInfo({ dialogId: groupId, title: "Reading circle" });
    expect(renamed.title).toBe("Reading circle");
    for (const userId of [alice.userId, bob.userId, carol.userId]) {
      const event = await heardBy(userId, (e) => e.type === "groupInfo" && e.dialogId === groupId);
      expect(event).toMatchObject({
        title: "Reading circle",
        byUserId: alice.userId,
        version: renamed.version,
      });
    }
    const inbox = await carol.call.dialog.list({ limit: 50 });
    expect(inbox.items.find((item) => item.id === groupId)?.title).toBe("Reading circle");
    expect((await bob.call.dialog.get({ dialogId: groupId })).title).toBe("Reading circle");
  });

  test("a plain member cannot rename, a stranger sees nothing, direct dialogs and bad titles are refused", async () => {
    expect(
      await failure(() => bob.call.dialog.updateInfo({ dialogId: groupId, title: "Bob's club" })),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(
      await failure(() => mallory.call.dialog.updateInfo({ dialogId: groupId, title: "pwned" })),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await failure(() => alice.call.dialog.updateInfo({ dialogId: directId, title: "us" })),
    ).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(
      await failure(() => alice.call.dialog.updateInfo({ dialogId: groupId, title: "a\u202Eb" })),
    ).toMatchObject({ code: "BAD_REQUEST" });
    expect((await carol.call.dialog.get({ dialogId: groupId })).title).toBe("Reading circle");
  });

  test("an admin may rename", async () => {
    await h.testDb.db
      .update(schema.dialogMembers)
      .set({ role: "admin" })
      .where(and(eq(schema.dialogMembers.dialogId, groupId), eq(schema.dialogMembers.userId, carol.userId)));
    const renamed = await carol.call.dialog.updateInfo({ dialogId: groupId, title: "Carol's circle" });
    expect((await bob.call.dialog.get({ dialogId: groupId })).title).toBe("Carol's circle");
    expect(renamed.version).toBeGreaterThan(1);
  });
});

let nextAttachment = 9_000_000_000_000n;
/** An avatar upload as the attachment route leaves it (row written, bytes and preview stored). */
async function uploaded(
  purpose: "user_avatar" | "dialog_avatar" | "message",
  scopeId: string,
  ownerId: string,
  state: "uploaded" | "uploading" = "uploaded",
): Promise<string> {
  const id = String(nextAttachment++);
  await insertAttachment(h.testDb.db, {
    scopeId,
    id,
    purpose,
    ownerId,
    name: "me.png",
    mime: "image/png",
    now: new Date(),
  });
  if (state === "uploaded") {
    await markAttachmentUploaded(
      h.testDb.db,
      { scopeId, id },
      { size: 10, width: 8, height: 8, hasThumb: true },
    );
  }
  return id;
}

describe("avatars", () => {
  test("one's own finished avatar upload becomes the avatar; anything else is NOT_FOUND", async () => {
    const mine = await uploaded("user_avatar", bob.userId, bob.userId);
    const profile = await bob.call.user.updateProfile({ avatarAttachmentId: mine });
    expect(profile.avatarUrl).toBe(`/api/attachments/${bob.userId}/${mine}?variant=thumb`);
    await heardBy(
      alice.userId,
      (e) => e.type === "profile" && e.userId === bob.userId && e.avatarUrl !== null,
    );
    const someoneElses = await uploaded("user_avatar", alice.userId, alice.userId);
    const half = await uploaded("user_avatar", bob.userId, bob.userId, "uploading");
    const message = await uploaded("message", groupId, bob.userId);
    for (const avatarAttachmentId of [someoneElses, half, message, "12345"]) {
      expect(await failure(() => bob.call.user.updateProfile({ avatarAttachmentId }))).toMatchObject({
        code: "NOT_FOUND",
      });
    }
    expect((await alice.call.user.byIds({ ids: [bob.userId] }))[0]?.avatarUrl).toBe(profile.avatarUrl);
    expect((await bob.call.user.updateProfile({ avatarAttachmentId: null })).avatarUrl).toBeNull();
  });

  test("a group's picture: admins set their own upload for that group; members cannot", async () => {
    const bobs = await uploaded("dialog_avatar", groupId, bob.userId);
    expect(
      await failure(() => bob.call.dialog.updateInfo({ dialogId: groupId, avatarAttachmentId: bobs })),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    // Carol is an admin by now, but the upload is Bob's.
    expect(
      await failure(() => carol.call.dialog.updateInfo({ dialogId: groupId, avatarAttachmentId: bobs })),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
    const carols = await uploaded("dialog_avatar", groupId, carol.userId);
    const info = await carol.call.dialog.updateInfo({ dialogId: groupId, avatarAttachmentId: carols });
    expect(info.avatarUrl).toBe(`/api/attachments/${groupId}/${carols}?variant=thumb`);
    expect((await bob.call.dialog.get({ dialogId: groupId })).avatarUrl).toBe(info.avatarUrl);
  });
});

describe("mute", () => {
  test("mute holds on the member row for every client of the user, and is told to the user's other clients", async () => {
    expect(await bob.call.dialog.setMuted({ dialogId: groupId, muted: true })).toEqual({ muted: true });
    expect((await bob.call.dialog.get({ dialogId: groupId })).muted).toBe(true);
    const inbox = await bob.call.dialog.list({ limit: 50 });
    expect(inbox.items.find((item) => item.id === groupId)?.muted).toBe(true);
    // Only Bob's own view changes.
    expect((await carol.call.dialog.get({ dialogId: groupId })).muted).toBe(false);
    await heardBy(bob.userId, (e) => e.type === "dialog" && e.dialogId === groupId && e.change === "updated");
    await bob.call.dialog.setMuted({ dialogId: groupId, muted: false });
    expect((await bob.call.dialog.get({ dialogId: groupId })).muted).toBe(false);
  });

  test("a non-member cannot mute (NOT_FOUND, nothing written)", async () => {
    expect(
      await failure(() => mallory.call.dialog.setMuted({ dialogId: groupId, muted: true })),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
    const rows = await h.testDb.db
      .select()
      .from(schema.dialogMembers)
      .where(
        and(eq(schema.dialogMembers.dialogId, groupId), eq(schema.dialogMembers.userId, mallory.userId)),
      );
    expect(rows).toEqual([]);
  });
});

describe("last seen", () => {
  test("answered for people one shares a dialog with, never for strangers", async () => {
    const seenAt = new Date("2026-03-04T05:06:07.890Z");
    await h.testDb.db
      .update(schema.userClients)
      .set({ lastSeenAt: seenAt })
      .where(eq(schema.userClients.userId, bob.userId));
    const answer = await alice.call.presence.lastSeen({
      userIds: [bob.userId, mallory.userId, alice.userId],
    });
    expect(answer).toEqual([{ userId: bob.userId, lastSeenAt: seenAt.getTime() }]);
    expect(await mallory.call.presence.lastSeen({ userIds: [alice.userId, bob.userId] })).toEqual([]);
    expect(
      await failure(() =>
        alice.call.presence.lastSeen({
          userIds: Array.from({ length: 101 }, (_, i) => String(1_000_000 + i)),
        }),
      ),
    ).toMatchObject({ code: "BAD_REQUEST" });
  });
});

test("name and picture changes are budgeted per user (each is a fan-out)", async () => {
  const loner = await h.user("loner");
  const answers = [];
  for (let i = 0; i < 21; i++) {
    answers.push(await failure(() => loner.call.user.updateProfile({ displayName: `Loner ${i}` })));
  }
  expect(answers.slice(0, 20).every((answer) => answer === null)).toBe(true);
  expect(answers[20]).toMatchObject({ code: "TOO_MANY_REQUESTS" });
});
