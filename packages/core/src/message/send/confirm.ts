import type { Db, SendConnection } from "@parley/db";
import {
  type CommitWrite,
  type ConfirmState,
  commitConfirmBatched,
  commitFusedSend,
  insertTombstone,
  lockDialogForConfirm,
  type MessageRow,
  openConfirmBatched,
  openFusedSend,
  rollbackBatched,
  tombstoneAndCommitBatched,
  writeCommit,
} from "@parley/db/queries";
import { describeMedia, type TMessageEvent, type TReplyPreview } from "@parley/protocol";
import { applyChangeInConfirm, isChangeKind, replyPreviewFor } from "../lifecycle";
import { parseStoredContent } from "../wire";

export type ConfirmOutcome =
  /** This Confirm placed the message at `seq` (status committed in the same transaction); it wrote the outbox row. */
  | {
      kind: "committed";
      seq: number;
      membersVersion: number;
      /** Read under the lock: decides one publish on the dialog subject vs. one per member. */
      fanoutSince: Date | null;
      event: TMessageEvent;
      eventJson: string;
    }
  /** An earlier Confirm already placed it: the first seq stands. */
  | { kind: "already"; seq: number }
  /** The predecessor clientSeq has not been confirmed yet. Nothing was written. */
  | { kind: "ahead"; expectedClientSeq: number }
  /** Failed for good (tombstoned): clientSeq already used, sender not a member, or the reconciler gave up on it. */
  | { kind: "failed"; reason: "behind" | "tombstoned" | "not-member"; expectedClientSeq: number }
  | { kind: "no-dialog" };

const PREVIEW_LENGTH = 200;

/** What Confirm does, decided under the dialog lock from the state it read there. */
type Decision =
  | { end: "rollback"; outcome: ConfirmOutcome }
  | { end: "tombstone"; outcome: ConfirmOutcome }
  | { end: "commit"; outcome: Extract<ConfirmOutcome, { kind: "committed" }>; write: CommitWrite };

/** A message on its way to Confirm; a reply carries its quote (built before Try, or in Confirm). */
export type SendRow = MessageRow & { reply?: TReplyPreview };

function decide(message: SendRow, state: ConfirmState | null): Decision {
  if (!state) return { end: "rollback", outcome: { kind: "no-dialog" } };
  if (state.existingSeq !== null)
    return { end: "rollback", outcome: { kind: "already", seq: state.existingSeq } };
  const { dialogId, id: msgId, senderId, senderClientId: clientId, clientSeq } = message;
  const expectedClientSeq = state.lastClientSeq + 1;
  if (state.isTombstoned) {
    return { end: "rollback", outcome: { kind: "failed", reason: "tombstoned", expectedClientSeq } };
  }
  if (!state.isMember || clientSeq < expectedClientSeq) {
    // Final refusal: the tombstone makes every later Confirm of this msg_id abort too.
    const reason = state.isMember ? "behind" : "not-member";
    return { end: "tombstone", outcome: { kind: "failed", reason, expectedClientSeq } };
  }
  if (clientSeq > expectedClientSeq)
    return { end: "rollback", outcome: { kind: "ahead", expectedClientSeq } };

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
      ...(message.reply ? { reply: message.reply } : {}),
    },
  };
  // Serialised once: the outbox row and every member's push carry the same text.
  const eventJson = JSON.stringify(event);
  return {
    end: "commit",
    outcome: {
      kind: "committed",
      seq,
      membersVersion: state.membersVersion,
      fanoutSince: state.fanoutSince,
      event,
      eventJson,
    },
    write: {
      dialogId,
      msgId,
      seq,
      senderId,
      clientId,
      clientSeq,
      // A change row leaves the inbox preview alone (writeCommit): its own is never shown.
      preview: [
        ...(content.kind === "media" ? describeMedia(content) : content.kind === "text" ? content.text : ""),
      ]
        .slice(0, PREVIEW_LENGTH)
        .join(""),
      createdAt: message.createdAt,
      outboxKind: "message",
      outboxJson: eventJson,
    },
  };
}

const keyOf = (message: MessageRow) => ({
  dialogId: message.dialogId,
  userId: message.senderId,
  clientId: message.senderClientId,
  msgId: message.id,
});

/**
 * Confirm (dialog store): ONE short transaction under the dialog row lock whose decision is final.
 * Lock, read the state (one statement), decide, then the writes (timeline, last_seq + watermarks,
 * clientSeq, outbox, status committed) and the commit — one round trip per statement on any driver.
 * Commit order is seq order because the lock is held to commit.
 */
export async function confirmMessage(db: Db, message: SendRow): Promise<ConfirmOutcome> {
  return db.transaction(async (tx) => {
    // A reply settled here (the reconciler) gets its quote too; a plain message reads nothing more.
    const row = message.reply ? message : { ...message, ...(await replyPreviewFor(tx, message)) };
    const decision = decide(row, await lockDialogForConfirm(tx, keyOf(message)));
    if (decision.end === "tombstone") await insertTombstone(tx, message.dialogId, message.id);
    if (decision.end !== "commit") return decision.outcome;
    // An edit, delete or reaction changes its target under the same lock, in the same transaction.
    if (!isChangeKind(message.kind)) {
      await writeCommit(tx, decision.write);
      return decision.outcome;
    }
    const change = await applyChangeInConfirm(tx, message, { ...decision.outcome, write: decision.write });
    await writeCommit(tx, change.write);
    return { ...decision.outcome, event: change.event, eventJson: change.eventJson };
  });
}

/**
 * The same Confirm on the send pool, in two round trips: BEGIN + lock + state, then the writes +
 * COMMIT (or the tombstone + COMMIT, or ROLLBACK). Try ran before, on its own.
 */
export async function confirmMessageBatched(
  conn: SendConnection,
  message: MessageRow,
): Promise<ConfirmOutcome> {
  const decision = decide(message, await openConfirmBatched(conn, keyOf(message)));
  if (decision.end === "commit") await commitConfirmBatched(conn, decision.write);
  else if (decision.end === "tombstone") await tombstoneAndCommitBatched(conn, message.dialogId, message.id);
  else await rollbackBatched(conn);
  return decision.outcome;
}

/**
 * The common case in ONE transaction (message and dialog share a shard): lock, state, then the
 * committed message row with the dialog's writes and COMMIT — two round trips, one commit. Only a
 * clean commit happens here; anything else (a retry of a known clientMsgId, not a member, clientSeq
 * ahead or behind, no dialog) rolls back having written nothing and answers `fallback`, and the
 * step-by-step Try → Confirm decides it exactly as before.
 */
export async function sendInOneTransaction(
  conn: SendConnection,
  message: MessageRow,
): Promise<Extract<ConfirmOutcome, { kind: "committed" }> | { fallback: true; isMember: boolean }> {
  const opened = await openFusedSend(conn, { ...keyOf(message), clientMsgId: message.clientMsgId });
  const decision = opened.isKnown ? null : decide(message, opened.state);
  if (decision?.end !== "commit") {
    await rollbackBatched(conn);
    return { fallback: true, isMember: opened.state?.isMember ?? false };
  }
  await commitFusedSend(conn, message, decision.write);
  return decision.outcome;
}
