import { beforeAll, describe, expect, test } from "bun:test";
import { reconcilePending } from "@parley/core/jobs";
import { sql } from "drizzle-orm";
import type { ApiServices } from "../context";
import { type Caller, firstClient, messagingFixture, TEST_MESSAGING, text } from "./messaging-harness";

/** A send that stops right after Try (its client is slow, or the API died): the row stays pending. */
let stalled: ApiServices;

const {
  h,
  users: [alice, bob],
} = await messagingFixture("rollfwd", [1, 1]);

beforeAll(async () => {
  stalled = await h.createServices({
    messaging: {
      ...TEST_MESSAGING,
      clientSeqWaitMs: 0,
      faults: {
        afterTry: () => {
          throw new Error("stalled after Try");
        },
      },
    },
  });
});

type Row = Record<string, unknown>;
async function query(statement: ReturnType<typeof sql>): Promise<Row[]> {
  const [rows] = (await h.db.execute(statement)) as unknown as [Row[]];
  return rows;
}

async function timeline(dialogId: string): Promise<string[]> {
  const rows = await query(sql`
    SELECT m.client_msg_id FROM dialog_messages t JOIN messages m ON m.dialog_id = t.dialog_id AND m.id = t.msg_id
     WHERE t.dialog_id = ${dialogId} AND m.dialog_id = ${dialogId} ORDER BY t.seq`);
  return rows.map((row) => String(row.client_msg_id));
}

const input = (dialogId: string, clientMsgId: string, clientSeq: number) => ({
  dialogId,
  clientMsgId,
  clientSeq,
  content: text(clientMsgId),
});

async function newDialog(): Promise<{ dialogId: string; caller: Caller; stalledCaller: Caller }> {
  const carol = await h.createUser(1);
  const dialog = await firstClient(carol).caller.dialog.openDirect({ userId: bob.userId });
  const { clientId, caller } = firstClient(carol);
  return { dialogId: dialog.id, caller, stalledCaller: h.callerFor(stalled, carol.userId, clientId) };
}

describe("the reconciler rolls pending messages forward", () => {
  test("a message whose Try succeeded commits, and its client's retry gets the original ack", async () => {
    const { dialogId, caller, stalledCaller } = await newDialog();
    await caller.message.send(input(dialogId, "a1", 1));
    await expect(stalledCaller.message.send(input(dialogId, "a2", 2))).rejects.toThrow();
    expect(await reconcilePending(h.db, { olderThanMs: 0 })).toMatchObject({ committed: 1, failed: 0 });
    const retry = await caller.message.send(input(dialogId, "a2", 2));
    expect(retry.seq).toBe(2);
    await caller.message.send(input(dialogId, "a3", 3));
    expect(await timeline(dialogId)).toEqual(["a1", "a2", "a3"]);
    expect(await query(sql`SELECT msg_id FROM message_tombstones WHERE dialog_id = ${dialogId}`)).toEqual([]);
  });

  test("behind a predecessor that may still arrive it waits; once that lands it follows it", async () => {
    const { dialogId, caller, stalledCaller } = await newDialog();
    await expect(stalledCaller.message.send(input(dialogId, "b2", 2))).rejects.toThrow();
    expect(await reconcilePending(h.db, { olderThanMs: 0 })).toMatchObject({ waiting: 1, failed: 0 });
    await caller.message.send(input(dialogId, "b1", 1));
    expect(await reconcilePending(h.db, { olderThanMs: 0 })).toMatchObject({ committed: 1, failed: 0 });
    expect(await timeline(dialogId)).toEqual(["b1", "b2"]);
  });

  test("a hole its client never fills is skipped after holeAfterMs: the late predecessor is refused, never placed after", async () => {
    const { dialogId, caller, stalledCaller } = await newDialog();
    await expect(stalledCaller.message.send(input(dialogId, "c2", 2))).rejects.toThrow();
    expect(await reconcilePending(h.db, { olderThanMs: 0, holeAfterMs: 0 })).toMatchObject({ committed: 1 });
    await expect(caller.message.send(input(dialogId, "c1", 1))).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    expect(await timeline(dialogId)).toEqual(["c2"]);
  });

  test("a client that renumbers a pending message resends the same clientMsgId: one row, committed once", async () => {
    const { dialogId, caller, stalledCaller } = await newDialog();
    // Numbering ahead of the server (say, a stale checkpoint): Tried as 7, then renumbered to 1.
    await expect(stalledCaller.message.send(input(dialogId, "d1", 7))).rejects.toThrow();
    const ack = await caller.message.send(input(dialogId, "d1", 1));
    expect(ack.seq).toBe(1);
    for (let clientSeq = 2; clientSeq <= 7; clientSeq++) {
      await caller.message.send(input(dialogId, `d${clientSeq}`, clientSeq));
    }
    // Nothing is left for the reconciler to place a second time.
    expect(await reconcilePending(h.db, { olderThanMs: 0, holeAfterMs: 0 })).toMatchObject({ committed: 0 });
    expect(await timeline(dialogId)).toEqual(["d1", "d2", "d3", "d4", "d5", "d6", "d7"]);
    const [row] = await query(
      sql`SELECT client_seq, status FROM messages WHERE dialog_id = ${dialogId} AND client_msg_id = 'd1'`,
    );
    expect(row).toMatchObject({ status: "committed" });
    expect(Number(row?.client_seq)).toBe(1);
  });

  test("a sender no longer a member fails for good (a reason the user can act on)", async () => {
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "gone",
      memberIds: [bob.userId],
    });
    const bobStalled = h.callerFor(stalled, bob.userId, firstClient(bob).clientId);
    await expect(bobStalled.message.send(input(group.id, "e1", 1))).rejects.toThrow();
    await firstClient(alice).caller.dialog.removeMember({ dialogId: group.id, userId: bob.userId });
    expect(await reconcilePending(h.db, { olderThanMs: 0 })).toMatchObject({ committed: 0, failed: 1 });
    expect(await timeline(group.id)).toEqual([]);
  });
});
