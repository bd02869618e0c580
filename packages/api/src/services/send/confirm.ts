import type { Db } from "@parley/db";
import { insertTombstone, lockDialogForConfirm, type MessageRow, writeCommit } from "@parley/db/queries";
import type { TMessageEvent } from "@parley/protocol";
import { parseStoredContent } from "../wire";

export type ConfirmOutcome =
  /** This Confirm placed the message at `seq`; it wrote the outbox row. */
  | { kind: "committed"; seq: number; membersVersion: number; event: TMessageEvent }
  /** An earlier Confirm already placed it: the first seq stands. */
  | { kind: "already"; seq: number }
  /** The predecessor clientSeq has not been confirmed yet. Nothing was written. */
  | { kind: "ahead"; expectedClientSeq: number }
  /** Failed for good (tombstoned): clientSeq already used, sender not a member, or the reconciler gave up on it. */
  | { kind: "failed"; reason: "behind" | "tombstoned" | "not-member"; expectedClientSeq: number }
  | { kind: "no-dialog" };

const PREVIEW_LENGTH = 200;

/**
 * Confirm (dialog store): ONE short transaction under the dialog row lock whose decision is final.
 * Lock, read the state (one statement), decide, then four writes and the commit: the lock is held
 * for six round trips — or two when batched (lock + state in one query, the writes in another). Commit order is seq order because the lock is held to commit.
 */
export async function confirmMessage(db: Db, message: MessageRow, batched = false): Promise<ConfirmOutcome> {
  const { dialogId, id: msgId, senderId, senderClientId: clientId, clientSeq } = message;
  return db.transaction(async (tx) => {
    const state = await lockDialogForConfirm(tx, { dialogId, userId: senderId, clientId, msgId }, batched);
    if (!state) return { kind: "no-dialog" } as const;
    if (state.existingSeq !== null) return { kind: "already", seq: state.existingSeq } as const;
    const expectedClientSeq = state.lastClientSeq + 1;
    if (state.isTombstoned) return { kind: "failed", reason: "tombstoned", expectedClientSeq } as const;
    if (!state.isMember || clientSeq < expectedClientSeq) {
      // Final refusal: the tombstone makes every later Confirm of this msg_id abort too.
      await insertTombstone(tx, dialogId, msgId);
      const reason = state.isMember ? "behind" : "not-member";
      return { kind: "failed", reason, expectedClientSeq } as const;
    }
    if (clientSeq > expectedClientSeq) return { kind: "ahead", expectedClientSeq } as const;

    const seq = state.lastSeq + 1;
    const content = parseStoredContent(message.content);
    const event: TMessageEvent = {
      type: "message",
      dialogId,
      prevSeq: seq - 1,
      seq,
      message: {
        id: msgId,
        dialogId,
        seq,
        senderId,
        senderClientId: clientId,
        clientMsgId: message.clientMsgId,
        clientSeq,
        content,
        createdAt: message.createdAt.getTime(),
      },
    };
    await writeCommit(
      tx,
      {
        dialogId,
        msgId,
        seq,
        senderId,
        clientId,
        clientSeq,
        preview: [...content.text].slice(0, PREVIEW_LENGTH).join(""),
        createdAt: message.createdAt,
        outboxKind: "message",
        outboxPayload: event,
      },
      batched,
    );
    return { kind: "committed", seq, membersVersion: state.membersVersion, event } as const;
  });
}
