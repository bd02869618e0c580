import {
  ER_DUP_ENTRY,
  findMessageByClientMsgId,
  getLastClientSeq,
  type MessageRow,
  mysqlErrno,
  settleMessage,
} from "@parley/db/queries";
import type { Actor } from "../../actor";
import { isLockContention, sleep } from "../../db-errors";
import { dialogNotFound } from "../../dialog/access";
import { AppError } from "../../errors";
import { enforceSendRateLimit, type LimitDeps } from "../../limits/rate-limit";
import type { CoreServices } from "../../services";
import { checkChange, isChangeKind, type PreparedSend } from "../lifecycle";
import { withAttachmentFacts } from "./attachment-facts";
import { inClientSeqOrder } from "./client-order";
import {
  type ConfirmOutcome,
  confirmMessage,
  confirmMessageBatched,
  type SendRow,
  sendInOneTransaction,
} from "./confirm";
import { type DeliverDeps, deliverMessageEvent } from "./deliver";
import { forgetMember, isKnownMember, rememberMember } from "./known-members";
import { newPendingRow, type SendInput, tryMessage } from "./try";

export type SendAck = { msgId: string; seq: number; createdAt: number };

const LOCK_RETRIES = 3;

/** What a send uses: the stores, ids and clock, its budget, this process's send state, the fault hooks. */
export type SendDeps = DeliverDeps &
  LimitDeps &
  Pick<CoreServices, "sendPool" | "ids" | "sendOrder" | "knownMembers" | "faults">;

/**
 * The send path of DESIGN.md: Try → Confirm (dialog lock; status committed in the same transaction)
 * → ack, then publish and delete the outbox row. Every step is idempotent, so a client may retry the
 * same clientMsgId at any point (and any process) and gets the same ack.
 *
 * With a send pool (mysql2) the common case is ONE transaction in two round trips: BEGIN + lock +
 * state, then the committed message row with the dialog's writes and COMMIT (message and dialog share
 * a shard, so Try and Confirm fold into one commit). A sender not yet seen as a member here, a retry,
 * any refusal or wait, or a busy lock takes the step-by-step path (Try, then Confirm in two round
 * trips on the send pool), which is also the path of drivers without a send pool.
 */
export async function sendMessage(deps: SendDeps, actor: Actor, input: SendInput): Promise<SendAck> {
  await enforceSendRateLimit(deps, actor);
  const checked = await withAttachmentFacts(deps, actor, input);
  return inClientSeqOrder(
    deps,
    { dialogId: input.dialogId, clientId: actor.clientId, clientSeq: input.clientSeq },
    deps.options.clientSeqWaitMs,
    () => placeMessage(deps, actor, checked),
  );
}

async function placeMessage(deps: SendDeps, actor: Actor, input: SendInput): Promise<SendAck> {
  const isChange = isChangeKind(input.content.kind);
  const prepared = await prepareSend(deps, actor, input);
  // Changes apply to their target inside Confirm (the step-by-step path): never the fused one.
  const fused =
    deps.sendPool !== undefined &&
    !deps.faults.afterTry &&
    !isChange &&
    isKnownMember(deps.knownMembers, input.dialogId, actor.userId);
  const fast = fused ? await tryAndConfirm(deps, actor, input, prepared) : null;
  let message: SendRow;
  let outcome: ConfirmOutcome;
  if (fast && fast !== "busy" && fast !== "retry") {
    ({ message, outcome } = fast);
  } else {
    message = { ...(await tryMessage(deps, actor, input)), ...prepared };
    await deps.faults.afterTry?.({ dialogId: message.dialogId, msgId: message.id });
    if (message.status === "committed" && message.seq !== null) return ackOf(message, message.seq);
    if (message.status === "failed") {
      throw failedError(message, 1 + (await getLastClientSeq(deps.db, message.dialogId, actor.clientId)));
    }
    // A fused attempt that met a busy lock counts as the first of the LOCK_RETRIES attempts.
    outcome = await confirmWithWait(deps, message, undefined, fast === "busy" ? 1 : 0);
  }
  const step = { dialogId: message.dialogId, msgId: message.id };
  // Confirm read membership under the lock: remember it (or forget it) for the fused path.
  if (outcome.kind === "committed" || outcome.kind === "already") {
    rememberMember(deps.knownMembers, message.dialogId, actor.userId);
  }
  if (outcome.kind === "failed" && outcome.reason === "not-member") {
    forgetMember(deps.knownMembers, message.dialogId, actor.userId);
  }

  switch (outcome.kind) {
    case "no-dialog":
      throw dialogNotFound();
    case "ahead":
      throw new AppError("CONFLICT", "clientSeq is ahead: an earlier message of this client is missing", {
        expectedClientSeq: outcome.expectedClientSeq,
        status: "pending",
      });
    case "failed":
      await settleMessage(deps.db, message.dialogId, message.id, { status: "failed" });
      if (outcome.reason === "not-member") throw dialogNotFound();
      throw failedError(message, outcome.expectedClientSeq);
    case "already":
      await settleMessage(deps.db, message.dialogId, message.id, {
        status: "committed",
        seq: outcome.seq,
      });
      return ackOf(message, outcome.seq);
    case "committed":
      // Confirm's transaction set status committed: the ack may go once it committed.
      await deps.faults.afterConfirm?.(step);
      await deps.faults.beforePublish?.(step);
      await deliverAfterCommit(deps, outcome);
      return ackOf(message, outcome.seq);
  }
}

/**
 * The common case as one transaction on a send-pool connection (confirm.ts sendInOneTransaction):
 * it only ever commits a clean send. The step-by-step path takes over on "retry" (anything but a
 * clean commit: a retry of a known clientMsgId, not a member, clientSeq ahead or behind) and "busy"
 * (lock wait timeout or deadlock: nothing was written; this attempt counts as the first of
 * LOCK_RETRIES).
 */
async function tryAndConfirm(
  deps: SendDeps,
  actor: Actor,
  input: SendInput,
  prepared: PreparedSend,
): Promise<
  { message: MessageRow; outcome: Extract<ConfirmOutcome, { kind: "committed" }> } | "retry" | "busy" | null
> {
  const pool = deps.sendPool;
  if (!pool) return null;
  const message: SendRow = { ...newPendingRow(deps, actor, input), ...prepared };
  try {
    const outcome = await pool.withConnection((conn) => sendInOneTransaction(conn, message));
    if ("fallback" in outcome) {
      if (!outcome.isMember) forgetMember(deps.knownMembers, input.dialogId, actor.userId);
      return "retry";
    }
    return { message: { ...message, status: "committed", seq: outcome.seq }, outcome };
  } catch (error) {
    if (mysqlErrno(error) === ER_DUP_ENTRY) return "retry";
    if (isLockContention(error)) return "busy";
    throw error;
  }
}

/**
 * Changes and replies are checked before Try (a refusal writes nothing, so no clientSeq is consumed);
 * plain messages read nothing here. A retry of a change the server already took is not checked
 * again: its message may be gone by now, and the retry must get the original ack.
 */
async function prepareSend(
  deps: Pick<CoreServices, "db">,
  actor: Actor,
  input: SendInput,
): Promise<PreparedSend> {
  const content = input.content;
  if (!isChangeKind(content.kind) && !("replyTo" in content && content.replyTo)) return {};
  try {
    return await checkChange(deps.db, actor, input.dialogId, content);
  } catch (error) {
    const known = await findMessageByClientMsgId(deps.db, input.dialogId, actor.clientId, input.clientMsgId);
    if (known) return {};
    throw error;
  }
}

/**
 * Pipelined sends of one client may reach Confirm out of order (two API processes). A clientSeq that
 * is ahead waits, bounded, for its predecessor — polling without the lock — and then tries again;
 * so an in-order pipeline always succeeds and a real gap is refused after `clientSeqWaitMs`.
 */
async function confirmWithWait(
  deps: SendDeps,
  message: SendRow,
  first?: ConfirmOutcome,
  lockAttemptsUsed = 0,
): Promise<ConfirmOutcome> {
  const { clientSeqWaitMs } = deps.options;
  const deadline = Date.now() + clientSeqWaitMs;
  let delayMs = 1;
  let outcome = first;
  for (;;) {
    outcome ??= await confirmWithLockRetry(deps, message, lockAttemptsUsed);
    lockAttemptsUsed = 0;
    if (outcome.kind !== "ahead") return outcome;
    for (;;) {
      if (Date.now() >= deadline) return outcome;
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 20);
      const last = await getLastClientSeq(deps.db, message.dialogId, message.senderClientId);
      if (last + 1 >= message.clientSeq) break;
    }
    outcome = undefined;
  }
}

async function confirmWithLockRetry(
  deps: Pick<CoreServices, "db" | "sendPool">,
  message: SendRow,
  attemptsUsed = 0,
): Promise<ConfirmOutcome> {
  for (let attempt = attemptsUsed + 1; ; attempt++) {
    try {
      const pool = deps.sendPool;
      if (!pool || isChangeKind(message.kind)) return await confirmMessage(deps.db, message);
      return await pool.withConnection((conn) => confirmMessageBatched(conn, message));
    } catch (error) {
      if (!isLockContention(error)) throw error;
      // The message stays pending: a retry of the same clientMsgId (or the reconciler) settles it.
      if (attempt >= LOCK_RETRIES) {
        throw new AppError("TOO_MANY_REQUESTS", "dialog is busy; retry the same message", {
          status: "pending",
        });
      }
    }
  }
}

/** The message is durable and acked whatever happens here: a failed push is the relay's job. */
async function deliverAfterCommit(
  deps: DeliverDeps,
  outcome: Extract<ConfirmOutcome, { kind: "committed" }>,
): Promise<void> {
  try {
    await deliverMessageEvent(deps, outcome.event, outcome, outcome.eventJson);
  } catch (error) {
    console.warn("[send] push deferred to the relay:", error instanceof Error ? error.message : error);
  }
}

function ackOf(message: MessageRow, seq: number): SendAck {
  return { msgId: message.id, seq, createdAt: message.createdAt.getTime() };
}

function failedError(message: MessageRow, expectedClientSeq: number): AppError {
  return new AppError(
    "PRECONDITION_FAILED",
    "message failed for good; send it again with a new clientMsgId and clientSeq",
    { msgId: message.id, status: "failed", expectedClientSeq },
  );
}
