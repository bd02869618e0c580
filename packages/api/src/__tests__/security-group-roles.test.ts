/**
 * The group role rules (owner / admin / member) hold, including against a manager demoted while its
 * request is in flight, and a busy dialog lock is a retryable refusal, never an internal error.
 */
import { describe, expect, test } from "bun:test";
import { schema } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { groupCastFixture } from "./group-cast";
import { failure } from "./security-harness";

const { h, owner, admin, member, other, outsider, groupId, directId, setRole, memberIds } =
  await groupCastFixture("secroles");

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
