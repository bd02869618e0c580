/**
 * Bad input at every boundary is a typed BAD_REQUEST that changes nothing, and the group role rules
 * (owner / admin / member) hold, including against a manager demoted while its request is in flight.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { schema } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { failure, type SecurityHarness, startSecurityHarness } from "./security-harness";

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let h: SecurityHarness;
let owner: User;
let admin: User;
let member: User;
let other: User;
let outsider: User;
let groupId: string;
let directId: string;
/** 20 digits, past 2^64 − 1: must be refused by validation, never reach the database. */
const PAST_UINT64 = "18446744073709551616";
const MAX_UINT64 = "18446744073709551615";

async function setRole(dialogId: string, userId: string, role: "owner" | "admin" | "member") {
  await h.testDb.db
    .update(schema.dialogMembers)
    .set({ role })
    .where(and(eq(schema.dialogMembers.dialogId, dialogId), eq(schema.dialogMembers.userId, userId)));
}

async function memberIds(dialogId: string): Promise<string[]> {
  const rows = await h.testDb.db
    .select({ userId: schema.dialogMembers.userId })
    .from(schema.dialogMembers)
    .where(eq(schema.dialogMembers.dialogId, dialogId));
  return rows.map((row) => row.userId).sort();
}

beforeAll(async () => {
  h = await startSecurityHarness("secinput");
  owner = await h.user("owner1");
  admin = await h.user("admin1");
  member = await h.user("member1");
  other = await h.user("other1");
  outsider = await h.user("outsider1");
  groupId = (
    await owner.call.dialog.createGroup({
      title: "roles",
      memberIds: [admin.userId, member.userId, other.userId],
    })
  ).id;
  await setRole(groupId, admin.userId, "admin");
  directId = (await owner.call.dialog.openDirect({ userId: member.userId })).id;
});
afterAll(async () => {
  await h?.close();
});

describe("ids, limits and strings are bounded at the boundary", () => {
  test("ids past 2^64 − 1 are BAD_REQUEST on every procedure that takes an id", async () => {
    const call = owner.call;
    const attempts: [string, () => Promise<unknown>][] = [
      ["user.revokeClient", () => call.user.revokeClient({ clientId: PAST_UINT64 })],
      ["user.byIds", () => call.user.byIds({ ids: [PAST_UINT64] })],
      ["dialog.openDirect", () => call.dialog.openDirect({ userId: PAST_UINT64 })],
      ["dialog.createGroup", () => call.dialog.createGroup({ title: "x", memberIds: [PAST_UINT64] })],
      ["dialog.addMembers", () => call.dialog.addMembers({ dialogId: groupId, userIds: [PAST_UINT64] })],
      ["dialog.removeMember", () => call.dialog.removeMember({ dialogId: groupId, userId: PAST_UINT64 })],
      ["dialog.get", () => call.dialog.get({ dialogId: PAST_UINT64 })],
      ["dialog.list cursor", () => call.dialog.list({ cursor: `1:${PAST_UINT64}`, limit: 5 })],
      ["dialog.list cursor 0 id", () => call.dialog.list({ cursor: "1:0", limit: 5 })],
    ];
    for (const [name, attempt] of attempts) {
      const error = await failure(attempt);
      expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
    }
    // The largest valid id is a plain "not found", not an error.
    await expect(call.user.revokeClient({ clientId: MAX_UINT64 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(call.dialog.openDirect({ userId: MAX_UINT64 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("overlong and malformed strings, negative seqs and huge lists are BAD_REQUEST and change nothing", async () => {
    const call = owner.call;
    const before = JSON.stringify(await memberIds(groupId));
    const many = Array.from({ length: 1_000 }, (_, index) => String(10_000 + index));
    const attempts: [string, () => Promise<unknown>][] = [
      ["title 129", () => call.dialog.createGroup({ title: "t".repeat(129), memberIds: [] })],
      ["group of 1001", () => call.dialog.createGroup({ title: "big", memberIds: many })],
      ["add 101", () => call.dialog.addMembers({ dialogId: groupId, userIds: many.slice(0, 101) })],
      ["add none", () => call.dialog.addMembers({ dialogId: groupId, userIds: [] })],
      [
        "clientMsgId 65",
        () =>
          call.message.send({
            dialogId: groupId,
            clientMsgId: "c".repeat(65),
            clientSeq: 1,
            content: { kind: "text", text: "x" },
          }),
      ],
      [
        "clientMsgId with spaces",
        () =>
          call.message.send({
            dialogId: groupId,
            clientMsgId: "a b",
            clientSeq: 1,
            content: { kind: "text", text: "x" },
          }),
      ],
      ["limit 0", () => call.dialog.sync({ dialogId: groupId, afterSeq: 0, limit: 0 })],
      ["limit 201", () => call.dialog.history({ dialogId: groupId, limit: 201 })],
      ["negative afterSeq", () => call.dialog.sync({ dialogId: groupId, afterSeq: -1, limit: 5 })],
      ["negative beforeSeq", () => call.dialog.history({ dialogId: groupId, beforeSeq: -5, limit: 5 })],
      ["negative mark", () => call.dialog.markRead({ dialogId: groupId, seq: -1 })],
      ["unsafe seq", () => call.dialog.markRead({ dialogId: groupId, seq: 2 ** 60 })],
      ["list limit 1000", () => call.dialog.list({ limit: 1_000 })],
      ["cursor 65", () => call.dialog.list({ cursor: "1".repeat(65), limit: 5 })],
      ["byIds 101", () => call.user.byIds({ ids: many.slice(0, 101) })],
      ["byHandle 65", () => call.user.byHandle({ handle: "h".repeat(65) })],
    ];
    for (const [name, attempt] of attempts) {
      const error = await failure(attempt);
      expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
    }
    expect(JSON.stringify(await memberIds(groupId))).toBe(before);
  });

  test("sign-up refuses overlong, empty and malformed handles, names and client names", async () => {
    const anonymous = await h.caller();
    const base = { displayName: "D", password: "long enough password", mode: "token" as const };
    const attempts: [string, Record<string, unknown>][] = [
      ["handle 33", { ...base, handle: "h".repeat(33) }],
      ["handle 2", { ...base, handle: "hh" }],
      ["handle with space", { ...base, handle: "a b c" }],
      ["handle with slash", { ...base, handle: "a/b/c" }],
      ["handle starts with dot", { ...base, handle: ".abc" }],
      ["handle with zero-width space", { ...base, handle: "ab\u200bc" }],
      ["handle with RTL override", { ...base, handle: "ab\u202ec" }],
      ["display name 65", { ...base, handle: "okname1", displayName: "d".repeat(65) }],
      ["display name blank", { ...base, handle: "okname2", displayName: "   " }],
      ["client name 129", { ...base, handle: "okname3", clientName: "c".repeat(129) }],
      ["password 129", { ...base, handle: "okname4", password: "p".repeat(129) }],
    ];
    for (const [name, input] of attempts) {
      const error = await failure(() => anonymous.auth.signUp(input as never));
      expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
    }
    // Sign-in is bounded too (argon2 on a megabyte of password would be a cheap DoS).
    const error = await failure(() =>
      anonymous.auth.signIn({ handle: "owner1", password: "p".repeat(129), mode: "token" }),
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
  });

  test("names and titles others see may not hide or reorder text (controls, bidi overrides)", async () => {
    const anonymous = await h.caller();
    const base = { password: "long enough password", mode: "token" as const };
    const names = [
      "evil\u202Egnp.exe",
      "a\u0000b",
      "two\nlines",
      "zero\u200Bwidth",
      "iso\u2067late",
      "b\uFEFFom",
    ];
    for (const [index, displayName] of names.entries()) {
      const error = await failure(() =>
        anonymous.auth.signUp({ ...base, handle: `ctl${index}x`, displayName }),
      );
      expect({ displayName, error }).toMatchObject({ displayName, error: { code: "BAD_REQUEST" } });
      const titled = await failure(() =>
        owner.call.dialog.createGroup({ title: displayName, memberIds: [] }),
      );
      expect({ displayName, titled }).toMatchObject({ displayName, titled: { code: "BAD_REQUEST" } });
    }
    // Emoji sequences (ZWJ) and scripts that need ZWNJ are fine.
    const family = "👨\u200D👩\u200D👧 فارسی\u200Cها";
    await anonymous.auth.signUp({ ...base, handle: "emoji-ok", displayName: family });
    expect((await owner.call.dialog.createGroup({ title: family, memberIds: [] })).title).toBe(family);
    // A client name given at sign-in is cleaned rather than refused.
    const signedIn = await anonymous.auth.signIn({
      ...base,
      handle: "emoji-ok",
      clientName: "Pixel\u202E 9",
    });
    const call = await h.caller({
      authorization: `Bearer ${signedIn.mode === "token" ? signedIn.accessToken : ""}`,
    });
    const names2 = (await call.user.clients()).map((client) => client.name);
    expect(names2).toContain("Pixel 9");
  });

  test("handles are ASCII, unique after case folding, and sign-in accepts any such form", async () => {
    const anonymous = await h.caller();
    const input = { displayName: "Zoë", password: "long enough password", mode: "token" as const };
    const created = await anonymous.auth.signUp({ ...input, handle: "Strasse" });
    for (const twin of ["STRASSE", "strasse", "Ｓｔｒａｓｓｅ"]) {
      const error = await failure(() => anonymous.auth.signUp({ ...input, handle: twin }));
      expect({ twin, error }).toMatchObject({ twin, error: { code: "CONFLICT" } });
    }
    const signedIn = await anonymous.auth.signIn({
      handle: "ＳＴＲＡＳＳＥ",
      password: "long enough password",
      mode: "token",
    });
    expect(signedIn.userId).toBe(created.userId);
    const call = await h.caller({
      authorization: `Bearer ${signedIn.mode === "token" ? signedIn.accessToken : ""}`,
    });
    const found = await call.user.byHandle({ handle: "strasse" });
    expect(found).toMatchObject({ id: signedIn.userId, handle: "strasse" });
  });

  test("look-alike handles (other scripts, fillers) are refused with a message saying the rule", async () => {
    const anonymous = await h.caller();
    const input = { displayName: "Look", password: "long enough password", mode: "token" as const };
    await anonymous.auth.signUp({ ...input, handle: "alice-look" });
    for (const lookalike of [
      "\u0430lice-look", // Cyrillic а
      "b\u03BFb-look", // Greek ο
      "\u3164\u3164\u3164", // Hangul filler
      "alice-look\u3164", // alice-look + filler
      "straße",
    ]) {
      const error = await failure(() => anonymous.auth.signUp({ ...input, handle: lookalike }));
      expect({ lookalike, error }).toMatchObject({ lookalike, error: { code: "BAD_REQUEST" } });
      expect((error as Error).message).toContain("a–z, 0–9");
    }
  });

  test("invisible and format characters are refused in display names and group titles", async () => {
    const anonymous = await h.caller();
    const base = { password: "long enough password", mode: "token" as const };
    const invisibles = {
      "word joiner": "\u2060",
      "left-to-right mark": "\u200E",
      "right-to-left mark": "\u200F",
      "soft hyphen": "\u00AD",
      "Arabic letter mark": "\u061C",
      "Hangul filler": "\u3164",
      "tag character": "\u{E0041}",
      "Mongolian vowel separator": "\u180E",
    };
    for (const [index, [name, invisible]] of Object.entries(invisibles).entries()) {
      for (const displayName of [`Al${invisible}ice`, invisible.repeat(3)]) {
        const error = await failure(() =>
          anonymous.auth.signUp({ ...base, handle: `inv${index}x`, displayName }),
        );
        expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
        const titled = await failure(() =>
          owner.call.dialog.createGroup({ title: displayName, memberIds: [] }),
        );
        expect({ name, titled }).toMatchObject({ name, titled: { code: "BAD_REQUEST" } });
      }
    }
  });

  test("a lone surrogate is BAD_REQUEST wherever text enters, never a 500", async () => {
    const anonymous = await h.caller();
    const base = { password: "long enough password", mode: "token" as const };
    const lone = "x\uD800y";
    const attempts: [string, () => Promise<unknown>][] = [
      [
        "message text",
        () =>
          owner.call.message.send({
            dialogId: directId,
            clientMsgId: "lone-surrogate-1",
            clientSeq: 1,
            content: { kind: "text", text: lone },
          }),
      ],
      ["display name", () => anonymous.auth.signUp({ ...base, handle: "lone1", displayName: lone })],
      [
        "password",
        () =>
          anonymous.auth.signUp({
            ...base,
            handle: "lone2",
            displayName: "L",
            password: `${lone}0123456789`,
          }),
      ],
      [
        "client name",
        () => anonymous.auth.signUp({ ...base, handle: "lone3", displayName: "L", clientName: lone }),
      ],
      ["group title", () => owner.call.dialog.createGroup({ title: lone, memberIds: [] })],
    ];
    for (const [name, attempt] of attempts) {
      const error = await failure(attempt);
      expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
    }
    // The sender's queue is not wedged: the next message with clientSeq 1 goes through.
    const ack = await owner.call.message.send({
      dialogId: directId,
      clientMsgId: "lone-surrogate-2",
      clientSeq: 1,
      content: { kind: "text", text: "well formed 😀" },
    });
    expect(ack.seq).toBeGreaterThan(0);
  });

  test("opening a direct dialog with oneself or a nonexistent user, or a group with one, is refused", async () => {
    await expect(owner.call.dialog.openDirect({ userId: owner.userId })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(owner.call.dialog.openDirect({ userId: "4242424242" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const error = await failure(() =>
      owner.call.dialog.createGroup({ title: "ghosts", memberIds: [member.userId, "4242424242"] }),
    );
    expect(error).toMatchObject({ code: "NOT_FOUND" });
    const inbox = await member.call.dialog.list({ limit: 200 });
    expect(inbox.items.some((item) => item.title === "ghosts")).toBe(false);
  });
});

describe("group role rules", () => {
  test("members cannot add or remove; admins remove only plain members; the owner removes anyone", async () => {
    const refused: [string, () => Promise<unknown>, string][] = [
      [
        "member adds",
        () => member.call.dialog.addMembers({ dialogId: groupId, userIds: [outsider.userId] }),
        "FORBIDDEN",
      ],
      [
        "member removes member",
        () => member.call.dialog.removeMember({ dialogId: groupId, userId: other.userId }),
        "FORBIDDEN",
      ],
      [
        "member removes owner",
        () => member.call.dialog.removeMember({ dialogId: groupId, userId: owner.userId }),
        "FORBIDDEN",
      ],
      [
        "admin removes owner",
        () => admin.call.dialog.removeMember({ dialogId: groupId, userId: owner.userId }),
        "FORBIDDEN",
      ],
      [
        "remove self",
        () => admin.call.dialog.removeMember({ dialogId: groupId, userId: admin.userId }),
        "BAD_REQUEST",
      ],
      [
        "remove non-member",
        () => owner.call.dialog.removeMember({ dialogId: groupId, userId: outsider.userId }),
        "NOT_FOUND",
      ],
      [
        "add to direct",
        () => owner.call.dialog.addMembers({ dialogId: directId, userIds: [outsider.userId] }),
        "FORBIDDEN",
      ],
      [
        "remove from direct",
        () => owner.call.dialog.removeMember({ dialogId: directId, userId: member.userId }),
        "BAD_REQUEST",
      ],
      [
        "outsider removes",
        () => outsider.call.dialog.removeMember({ dialogId: groupId, userId: member.userId }),
        "NOT_FOUND",
      ],
    ];
    const before = JSON.stringify(await memberIds(groupId));
    for (const [name, attempt, code] of refused) {
      const error = await failure(attempt);
      expect({ name, error }).toMatchObject({ name, error: { code } });
    }
    expect(JSON.stringify(await memberIds(groupId))).toBe(before);
    expect(await memberIds(directId)).toEqual([owner.userId, member.userId].sort());

    // Another admin is out of an admin's reach; the owner reaches it.
    await setRole(groupId, other.userId, "admin");
    await expect(
      admin.call.dialog.removeMember({ dialogId: groupId, userId: other.userId }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await setRole(groupId, other.userId, "member");
    expect(await admin.call.dialog.removeMember({ dialogId: groupId, userId: other.userId })).toEqual({
      removed: true,
    });
    expect(await admin.call.dialog.addMembers({ dialogId: groupId, userIds: [other.userId] })).toEqual({
      added: 1,
    });
    // The removed-and-re-added member is a plain member again, whatever it was before.
    expect((await other.call.dialog.get({ dialogId: groupId })).role).toBe("member");
  });

  test("an owner who leaves hands the group to an admin (else the longest-standing member): never ownerless", async () => {
    const group = (
      await owner.call.dialog.createGroup({ title: "succession", memberIds: [member.userId, other.userId] })
    ).id;
    await setRole(group, other.userId, "admin");
    await owner.call.dialog.leave({ dialogId: group });
    expect((await other.call.dialog.get({ dialogId: group })).role).toBe("owner");
    // The new owner manages the group: it removes the remaining member, then leaves it empty-handed.
    expect(await other.call.dialog.removeMember({ dialogId: group, userId: member.userId })).toEqual({
      removed: true,
    });
    const plain = (await owner.call.dialog.createGroup({ title: "no admins", memberIds: [member.userId] }))
      .id;
    await owner.call.dialog.leave({ dialogId: plain });
    expect((await member.call.dialog.get({ dialogId: plain })).role).toBe("owner");
    expect(await member.call.dialog.addMembers({ dialogId: plain, userIds: [owner.userId] })).toEqual({
      added: 1,
    });
  });

  test("an admin demoted while its addMembers waits for the dialog lock adds nobody", async () => {
    // Hold the dialog row lock, start the admin's request (it checks its role, then waits for the
    // lock), demote the admin inside the lock holder, commit: the add must re-check under the lock.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = h.testDb.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM dialogs WHERE id = ${groupId} FOR UPDATE`);
      locked();
      await released;
      await tx
        .update(schema.dialogMembers)
        .set({ role: "member" })
        .where(
          and(eq(schema.dialogMembers.dialogId, groupId), eq(schema.dialogMembers.userId, admin.userId)),
        );
    });
    await isLocked;
    const adding = failure(() =>
      admin.call.dialog.addMembers({ dialogId: groupId, userIds: [outsider.userId] }),
    );
    await Bun.sleep(300);
    release();
    await holder;
    expect(await adding).toMatchObject({ code: "FORBIDDEN" });
    expect(await memberIds(groupId)).not.toContain(outsider.userId);
    await setRole(groupId, admin.userId, "admin");
  });

  test("a membership change on a dialog whose lock stays busy is a retryable TOO_MANY_REQUESTS, not INTERNAL", async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = h.testDb.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM dialogs WHERE id = ${groupId} FOR UPDATE`);
      locked();
      await released;
    });
    await isLocked;
    const error = await failure(() =>
      owner.call.dialog.removeMember({ dialogId: groupId, userId: member.userId }),
    );
    release();
    await holder;
    expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(await memberIds(groupId)).toContain(member.userId);
  }, 15_000);

  test("a stranger's removeMember never takes the dialog lock (no lock contention from outside)", async () => {
    // While a member's transaction holds the lock, a stranger's call answers NOT_FOUND at once
    // instead of queueing behind it (and behind every sender) until the lock wait times out.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = h.testDb.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM dialogs WHERE id = ${groupId} FOR UPDATE`);
      locked();
      await released;
    });
    await isLocked;
    const started = performance.now();
    const error = await failure(() =>
      outsider.call.dialog.removeMember({ dialogId: groupId, userId: member.userId }),
    );
    const elapsed = performance.now() - started;
    release();
    await holder;
    expect(error).toMatchObject({ code: "NOT_FOUND" });
    // Far below the 3 s lock wait a queued call would sit out.
    expect(elapsed).toBeLessThan(1_500);
  });
});
