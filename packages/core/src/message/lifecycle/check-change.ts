import type { Db } from "@parley/db";
import { getDialog, getMessageState, type MessageStateRow } from "@parley/db/queries";
import { ERROR_REASON, MAX_REACTION_KINDS, type TReplyPreview, type TSendContent } from "@parley/protocol";
import type { Actor } from "../../actor";
import { requireMember } from "../../dialog/access";
import { AppError } from "../../errors";
import { toReplyPreview } from "./wire-state";

/** Message kinds a change may target (a tombstone, or another change, is not one). */
const CHANGEABLE_KINDS = new Set(["text", "media"]);
const CHANGE_KINDS = new Set(["edit", "delete", "reaction"]);

export const isChangeKind = (kind: string): boolean => CHANGE_KINDS.has(kind);

/** What the send path learned before Try: the reply's quote (replies only). */
export type PreparedSend = { reply?: TReplyPreview };

/**
 * Checks a change (edit, delete, reaction) or a reply before Try, so a refusal is a clear error and
 * writes nothing (its clientSeq is not consumed). Plain messages skip this entirely: no read is
 * added to the common send. Rules: members only (NOT_FOUND otherwise, as everywhere); the target is
 * a committed message of this dialog; one edits only one's own messages; one deletes one's own, and
 * a group's owner or admins delete anyone's; deleted messages take no edit or reaction (a second
 * delete is a harmless no-op); at most MAX_REACTION_KINDS distinct emoji per message. Confirm applies
 * the change under the dialog lock, where a race (a delete meanwhile) makes it a no-op.
 */
export async function checkChange(
  db: Db,
  actor: Actor,
  dialogId: string,
  content: TSendContent,
): Promise<PreparedSend> {
  if (content.kind === "text" || !isChangeKind(content.kind)) {
    const replyTo = "replyTo" in content ? content.replyTo : undefined;
    if (!replyTo) return {};
    const member = await requireMember(db, dialogId, actor.userId);
    const original = await getMessageState(db, dialogId, replyTo);
    if (!original || !isVisibleMessage(original, member.joinedSeq)) throw messageNotFound();
    const reply = toReplyPreview(original);
    return reply ? { reply } : {};
  }
  if (content.kind !== "edit" && content.kind !== "delete" && content.kind !== "reaction") return {};
  const member = await requireMember(db, dialogId, actor.userId);
  const target = await getMessageState(db, dialogId, content.target);
  if (!target || !isVisibleMessage(target, member.joinedSeq)) throw messageNotFound();
  const isDeleted = target.kind === "deleted";
  const isOwn = target.senderId === actor.userId;
  switch (content.kind) {
    case "edit":
      if (!isOwn) throw notAllowed("only the sender can edit a message");
      if (isDeleted) throw messageDeleted();
      return {};
    case "delete":
      if (!isOwn && !(await isGroupModerator(db, dialogId, member.role))) {
        throw notAllowed("only the sender, or a group's owner or admins, can delete a message");
      }
      return {};
    case "reaction": {
      if (isDeleted) throw messageDeleted();
      const isNewKind = !target.reactions.some((r) => r.emoji === content.emoji);
      if (content.on && isNewKind && target.reactions.length >= MAX_REACTION_KINDS) {
        throw new AppError(
          "BAD_REQUEST",
          `a message takes at most ${MAX_REACTION_KINDS} different reactions`,
          {
            reason: ERROR_REASON.TOO_MANY_REACTIONS,
          },
        );
      }
      return {};
    }
  }
}

/** A committed message (or tombstone) the member can see: sent after it joined. */
function isVisibleMessage(row: MessageStateRow, joinedSeq: number): boolean {
  return (
    row.status === "committed" &&
    row.seq !== null &&
    row.seq > joinedSeq &&
    (CHANGEABLE_KINDS.has(row.kind) || row.kind === "deleted")
  );
}

async function isGroupModerator(db: Db, dialogId: string, role: string): Promise<boolean> {
  if (role !== "owner" && role !== "admin") return false;
  return (await getDialog(db, dialogId))?.kind === "group";
}

function messageNotFound(): AppError {
  return new AppError("NOT_FOUND", "message not found", { reason: ERROR_REASON.MESSAGE_NOT_FOUND });
}

function messageDeleted(): AppError {
  return new AppError("NOT_FOUND", "the message was deleted", { reason: ERROR_REASON.MESSAGE_DELETED });
}

function notAllowed(message: string): AppError {
  return new AppError("FORBIDDEN", message, { reason: ERROR_REASON.NOT_ALLOWED });
}
