/**
 * Bad input at the boundary is a typed BAD_REQUEST that changes nothing: ids past 2^64 − 1, overlong
 * and malformed strings, negative seqs, huge lists, lone surrogates, dialogs with oneself or nobody.
 */
import { describe, expect, test } from "bun:test";
import { groupCastFixture } from "./group-cast";
import { failure } from "./security-harness";

/** 20 digits, past 2^64 − 1: must be refused by validation, never reach the database. */
const PAST_UINT64 = "18446744073709551616";
const MAX_UINT64 = "18446744073709551615";

const { h, owner, member, groupId, directId, memberIds } = await groupCastFixture("secinput");

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
