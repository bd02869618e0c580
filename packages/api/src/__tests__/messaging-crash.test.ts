import { describe, expect, test } from "bun:test";
import type { SendFaults, SendStep } from "@parley/core";
import { reconcilePending, relayOutbox, settlePendingMessage } from "@parley/core/jobs";
import { settleMessage } from "@parley/db/queries";
import { sql } from "drizzle-orm";
import { firstClient, messagingFixture, TEST_MESSAGING, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob],
} = await messagingFixture("msgcrash", [1, 1]);

type Row = Record<string, unknown>;
async function query(statement: ReturnType<typeof sql>): Promise<Row[]> {
  const [rows] = (await h.db.execute(statement)) as unknown as [Row[]];
  return rows;
}

/** A services instance whose send "crashes" at one step for the messages we arm it for. */
async function crashingServices(point: keyof SendFaults) {
  const armed = new Set<string>();
  let crashNext = false;
  const fault = (step: SendStep) => {
    if (crashNext) {
      crashNext = false;
      armed.add(step.msgId);
      throw new Error(`injected crash ${point}`);
    }
  };
  const services = await h.createServices({ messaging: { ...TEST_MESSAGING, faults: { [point]: fault } } });
  return { services, crashOnce: () => (crashNext = true), crashed: armed };
}

describe("crash windows", () => {
  test("after Try, after Confirm, before publish: after reconciler + relay, every acked message is in the timeline once and pushed; nothing unacked twice", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    const clientId = firstClient(alice).clientId;
    const acked = new Map<string, { msgId: string; seq: number }>();
    const unacked = new Set<string>();
    let clientSeq = 0;

    for (const point of ["afterTry", "afterConfirm", "beforePublish"] as const) {
      const crashing = await crashingServices(point);
      const caller = h.callerFor(crashing.services, alice.userId, clientId);
      // A normal message, then one that crashes, then more normal ones.
      for (const crash of [false, true, false]) {
        clientSeq++;
        const clientMsgId = `${point}-${clientSeq}`;
        if (crash) crashing.crashOnce();
        try {
          const ack = await caller.message.send({
            dialogId: dialog.id,
            clientMsgId,
            clientSeq,
            content: text(clientMsgId),
          });
          acked.set(clientMsgId, ack);
        } catch {
          expect(crash).toBe(true);
          unacked.add(clientMsgId);
          if (point === "afterTry") {
            // Crash between Try and Confirm: the reconciler rolls the message forward — it commits
            // in its clientSeq order — and the next message follows it.
            const reconciled = await reconcilePending(h.db, { olderThanMs: 0 });
            expect(reconciled).toEqual({ committed: 1, failed: 0, waiting: 0 });
          }
        }
      }
    }

    // The worker's jobs settle what the crashes left.
    await reconcilePending(h.db, { olderThanMs: 0 });
    await relayOutbox({ db: h.db, events: h.services.events }, { olderThanMs: 0 });

    // Client-side retries of the unacked messages with the same clientMsgId.
    for (const clientMsgId of unacked) {
      const [row] = await query(
        sql`SELECT client_seq FROM messages WHERE dialog_id = ${dialog.id} AND sender_client_id = ${clientId} AND client_msg_id = ${clientMsgId}`,
      );
      const retry = await firstClient(alice)
        .caller.message.send({
          dialogId: dialog.id,
          clientMsgId,
          clientSeq: Number(row?.client_seq),
          content: text(clientMsgId),
        })
        .then((ack) => ({ ack }))
        .catch((error: unknown) => ({ error }));
      if ("ack" in retry) acked.set(clientMsgId, retry.ack);
      else
        expect(retry.error).toMatchObject({
          code: "PRECONDITION_FAILED",
          cause: { details: { status: "failed" } },
        });
    }

    const timeline = await query(
      sql`SELECT t.seq, t.msg_id, m.client_msg_id, m.status, m.seq AS message_seq FROM dialog_messages t
          JOIN messages m ON m.dialog_id = t.dialog_id AND m.id = t.msg_id
          WHERE t.dialog_id = ${dialog.id} AND m.dialog_id = ${dialog.id} ORDER BY t.seq`,
    );
    // Every acked message is in the timeline exactly once, committed with its seq.
    for (const [clientMsgId, ack] of acked) {
      const rows = timeline.filter((row) => row.client_msg_id === clientMsgId);
      expect(rows.length).toBe(1);
      expect(Number(rows[0]?.seq)).toBe(ack.seq);
      expect(rows[0]?.status).toBe("committed");
      expect(Number(rows[0]?.message_seq)).toBe(ack.seq);
    }
    // Nothing appears twice; the timeline is 1..N; only acked messages are in it.
    expect(timeline.map((row) => Number(row.seq))).toEqual(timeline.map((_, index) => index + 1));
    expect(new Set(timeline.map((row) => row.client_msg_id)).size).toBe(timeline.length);
    expect(timeline.every((row) => acked.has(String(row.client_msg_id)))).toBe(true);
    // Every crash committed: rolled forward or confirmed before the crash, acked on retry.
    expect(acked.has("afterTry-2")).toBe(true);
    expect(acked.has("afterConfirm-5")).toBe(true);
    expect(acked.has("beforePublish-8")).toBe(true);
    // No pending rows and no outbox rows remain.
    expect(
      await query(sql`SELECT id FROM messages WHERE dialog_id = ${dialog.id} AND status = 'pending'`),
    ).toEqual([]);
    expect(await query(sql`SELECT id FROM outbox WHERE dialog_id = ${dialog.id}`)).toEqual([]);
    // Every timeline message was pushed to both users.
    await h.log.waitFor(
      () =>
        [alice, bob].every((user) => {
          const pushed = new Set(h.log.messagesOf(user.userId, dialog.id).map((event) => event.seq));
          return timeline.every((row) => pushed.has(Number(row.seq)));
        }),
      5_000,
      "a push of every committed message",
    );
  }, 60_000);
});

describe("a Confirm held behind the dialog lock while the reconciler settles the same message", () => {
  test("both settle on one placement, every time: the message commits once, with one seq", async () => {
    const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
    const { clientId } = firstClient(alice);
    const startSeq = Number((await firstClient(alice).caller.dialog.get({ dialogId: dialog.id })).lastSeq);
    const outcomes = { confirmFirst: 0, reconcilerFirst: 0 };
    const crashing = await crashingServices("afterTry");
    const crashCaller = h.callerFor(crashing.services, alice.userId, clientId);
    const holder = h.testDb.connect({ connectionLimit: 1 });
    const [seqRow] = await query(
      sql`SELECT last_client_seq FROM dialog_client_seqs WHERE dialog_id = ${dialog.id} AND client_id = ${clientId}`,
    );
    let clientSeq = Number(seqRow?.last_client_seq ?? 0);
    try {
      for (let round = 0; round < 8; round++) {
        clientSeq++;
        const clientMsgId = `held-${round}`;
        const input = { dialogId: dialog.id, clientMsgId, clientSeq, content: text(clientMsgId) };
        crashing.crashOnce();
        await crashCaller.message.send(input).catch(() => {});
        const [pending] = await query(
          sql`SELECT id FROM messages WHERE dialog_id = ${dialog.id} AND sender_client_id = ${clientId} AND client_msg_id = ${clientMsgId}`,
        );
        const msgId = String(pending?.id);

        // Another connection holds the dialog row lock in an open transaction.
        let release = () => {};
        const released = new Promise<void>((resolve) => (release = resolve));
        let signalLocked = () => {};
        const locked = new Promise<void>((resolve) => (signalLocked = resolve));
        const holding = holder.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT id FROM dialogs WHERE id = ${dialog.id} FOR UPDATE`);
          signalLocked();
          await released;
        });
        await locked;
        // Both queue behind the held lock; which one InnoDB grants first varies by round.
        const first = round % 2 === 0 ? "confirm" : "reconciler";
        const run = {
          confirm: () =>
            firstClient(alice)
              .caller.message.send(input)
              .then((ack) => ({ ack }))
              .catch((error: unknown) => ({ error })),
          reconciler: () =>
            settlePendingMessage(h.db, {
              dialogId: dialog.id,
              id: msgId,
              senderClientId: clientId,
              clientSeq,
            }),
        };
        const a = first === "confirm" ? run.confirm() : run.reconciler();
        await Bun.sleep(30);
        const b = first === "confirm" ? run.reconciler() : run.confirm();
        await Bun.sleep(100);
        release();
        await holding;
        const [confirmResult, settled] = first === "confirm" ? [await a, await b] : [await b, await a];
        const send = confirmResult as { ack: { seq: number } } | { error: unknown };
        const reconcile = settled as Awaited<ReturnType<typeof settlePendingMessage>>;

        const inTimeline = await query(
          sql`SELECT seq FROM dialog_messages WHERE dialog_id = ${dialog.id} AND msg_id = ${msgId}`,
        );
        const tombstone = await query(
          sql`SELECT msg_id FROM message_tombstones WHERE dialog_id = ${dialog.id} AND msg_id = ${msgId}`,
        );
        const [status] = await query(
          sql`SELECT status FROM messages WHERE dialog_id = ${dialog.id} AND id = ${msgId}`,
        );
        outcomes[first === "confirm" ? "confirmFirst" : "reconcilerFirst"]++;
        // Whoever is granted the lock first places the message; the other finds it placed.
        expect("ack" in send).toBe(true);
        if (!("ack" in send)) continue;
        expect(reconcile).toEqual({ status: "committed", seq: send.ack.seq });
        expect(inTimeline.length).toBe(1);
        expect(tombstone.length).toBe(0);
        expect(status?.status).toBe("committed");
        // A settled decision is final: settling again changes nothing.
        expect(await settleMessage(h.db, dialog.id, msgId, { status: "failed" })).toBe(false);
      }
    } finally {
      await holder.close();
    }
    console.log(`held-lock race outcomes: ${JSON.stringify(outcomes)}`);
    const view = await firstClient(alice).caller.dialog.get({ dialogId: dialog.id });
    expect(view.lastSeq).toBe(startSeq + 8);
  }, 60_000);
});

describe("Confirm re-checks membership under the dialog lock", () => {
  test("a sender removed between Try and Confirm is refused (NOT_FOUND) and the message fails for good", async () => {
    const carol = await h.createUser(1);
    const group = await firstClient(alice).caller.dialog.createGroup({
      title: "recheck",
      memberIds: [bob.userId, carol.userId],
    });
    let removeOnce = true;
    const services = await h.createServices({
      messaging: {
        ...TEST_MESSAGING,
        faults: {
          afterTry: async () => {
            if (!removeOnce) return;
            removeOnce = false;
            await firstClient(alice).caller.dialog.removeMember({ dialogId: group.id, userId: carol.userId });
          },
        },
      },
    });
    const caller = h.callerFor(services, carol.userId, firstClient(carol).clientId);
    await expect(
      caller.message.send({
        dialogId: group.id,
        clientMsgId: "removed-1",
        clientSeq: 1,
        content: text("too late"),
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [row] = await query(
      sql`SELECT id, status FROM messages WHERE dialog_id = ${group.id} AND client_msg_id = 'removed-1'`,
    );
    expect(row?.status).toBe("failed");
    expect(await query(sql`SELECT seq FROM dialog_messages WHERE dialog_id = ${group.id}`)).toEqual([]);
    const tomb = await query(
      sql`SELECT msg_id FROM message_tombstones WHERE dialog_id = ${group.id} AND msg_id = ${String(row?.id)}`,
    );
    expect(tomb.length).toBe(1);
  });
});
