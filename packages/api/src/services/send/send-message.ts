import { getLastClientSeq, type MessageRow, settleMessage } from "@parley/db/queries";
import type { ApiServices } from "../../context";
import { AppError } from "../../errors";
import { dialogNotFound } from "../access";
import type { Actor } from "../actor";
import { isLockContention, sleep } from "../db-errors";
import { messagingOptions } from "../options";
import { type ConfirmOutcome, confirmMessage } from "./confirm";
import { deliverMessageEvent } from "./deliver";
import { type SendInput, tryMessage } from "./try";

export type SendAck = { msgId: string; seq: number; createdAt: number };

const LOCK_RETRIES = 3;

/**
 * The send path of DESIGN.md: Try → Confirm (dialog lock) → status committed → ack, then publish
 * and delete the outbox row. Every step is idempotent, so a client may retry the same clientMsgId at
 * any point (and any process) and gets the same ack.
 */
export async function sendMessage(services: ApiServices, actor: Actor, input: SendInput): Promise<SendAck> {
  const options = messagingOptions(services);
  const message = await tryMessage(services, actor, input);
  const step = { dialogId: message.dialogId, msgId: message.id };
  await options.faults.afterTry?.(step);

  if (message.status === "committed" && message.seq !== null) return ackOf(message, message.seq);
  if (message.status === "failed") {
    throw failedError(message, 1 + (await getLastClientSeq(services.db, message.dialogId, actor.clientId)));
  }

  const outcome = await confirmWithWait(services, message);
  switch (outcome.kind) {
    case "no-dialog":
      throw dialogNotFound();
    case "ahead":
      throw new AppError("CONFLICT", "clientSeq is ahead: an earlier message of this client is missing", {
        expectedClientSeq: outcome.expectedClientSeq,
        status: "pending",
      });
    case "failed":
      await settleMessage(services.db, message.dialogId, message.id, { status: "failed" });
      if (outcome.reason === "not-member") throw dialogNotFound();
      throw failedError(message, outcome.expectedClientSeq);
    case "already":
      await settleMessage(services.db, message.dialogId, message.id, {
        status: "committed",
        seq: outcome.seq,
      });
      return ackOf(message, outcome.seq);
    case "committed":
      await options.faults.afterConfirm?.(step);
      await settleMessage(services.db, message.dialogId, message.id, {
        status: "committed",
        seq: outcome.seq,
      });
      await options.faults.beforePublish?.(step);
      await deliverAfterCommit(services, outcome);
      return ackOf(message, outcome.seq);
  }
}

/**
 * Pipelined sends of one client may reach Confirm out of order (two API processes). A clientSeq that
 * is ahead waits, bounded, for its predecessor — polling without the lock — and then tries again;
 * so an in-order pipeline always succeeds and a real gap is refused after `clientSeqWaitMs`.
 */
async function confirmWithWait(services: ApiServices, message: MessageRow): Promise<ConfirmOutcome> {
  const { clientSeqWaitMs } = messagingOptions(services);
  const deadline = Date.now() + clientSeqWaitMs;
  let delayMs = 1;
  for (;;) {
    const outcome = await confirmWithLockRetry(services, message);
    if (outcome.kind !== "ahead") return outcome;
    for (;;) {
      if (Date.now() >= deadline) return outcome;
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 20);
      const last = await getLastClientSeq(services.db, message.dialogId, message.senderClientId);
      if (last + 1 >= message.clientSeq) break;
    }
  }
}

async function confirmWithLockRetry(services: ApiServices, message: MessageRow): Promise<ConfirmOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await confirmMessage(services.db, message, messagingOptions(services).batchStatements);
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
  services: ApiServices,
  outcome: Extract<ConfirmOutcome, { kind: "committed" }>,
): Promise<void> {
  try {
    await deliverMessageEvent(services, outcome.event, outcome.membersVersion);
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
