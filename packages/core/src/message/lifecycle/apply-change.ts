import type { Tx } from "@parley/db";
import {
  type AppliedChange,
  applyMessageChange,
  type CommitWrite,
  type MessageRow,
} from "@parley/db/queries";
import {
  MAX_LISTED_REACTORS,
  MAX_REACTION_KINDS,
  type TMessageEvent,
  ZChangeContent,
} from "@parley/protocol";
import { toChangeTarget } from "./wire-state";

const PREVIEW_LENGTH = 200;
/** The inbox preview of a dialog whose last message was deleted for everyone. */
export const DELETED_PREVIEW = "message deleted";

export type CommittedChange = { event: TMessageEvent; eventJson: string; write: CommitWrite };

/**
 * Inside Confirm's transaction, once the change row has its seq: applies the change to its target
 * (edit, delete, reaction), then puts the target's state after the change on the event — every
 * member's push and the outbox row carry the same JSON — and tells the dialog's inbox snapshot
 * whether its last message changed. A stored row that is not a readable change is committed as is.
 */
export async function applyChangeInConfirm(
  tx: Tx,
  message: MessageRow,
  committed: CommittedChange,
): Promise<CommittedChange> {
  const parsed = ZChangeContent.safeParse(message.content);
  if (!parsed.success) return committed;
  const change = parsed.data;
  const seq = committed.event.seq;
  const target = await applyMessageChange(
    tx,
    { dialogId: message.dialogId, targetId: change.target, changeId: message.id, seq, at: message.createdAt },
    toApplied(change, message.senderId),
  );
  const wireTarget = target && toChangeTarget(target);
  const event: TMessageEvent = {
    ...committed.event,
    message: { ...committed.event.message, content: change, ...(wireTarget ? { target: wireTarget } : {}) },
  };
  const eventJson = JSON.stringify(event);
  const preview = !wireTarget
    ? null
    : wireTarget.content.kind === "deleted"
      ? DELETED_PREVIEW
      : change.kind === "edit" && "text" in wireTarget.content && typeof wireTarget.content.text === "string"
        ? [...wireTarget.content.text].slice(0, PREVIEW_LENGTH).join("")
        : null;
  return {
    event,
    eventJson,
    write: { ...committed.write, outboxJson: eventJson, change: { targetId: change.target, preview } },
  };
}

function toApplied(change: ReturnType<typeof ZChangeContent.parse>, userId: string): AppliedChange {
  switch (change.kind) {
    case "edit":
      return { kind: "edit", text: change.text ?? "" };
    case "delete":
      return { kind: "delete" };
    case "reaction":
      return {
        kind: "reaction",
        emoji: change.emoji,
        on: change.on,
        userId,
        maxKinds: MAX_REACTION_KINDS,
        listed: MAX_LISTED_REACTORS,
      };
  }
}
