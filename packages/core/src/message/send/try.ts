import { findMessageByClientMsgId, insertPendingMessage, type MessageRow } from "@parley/db/queries";
import type { TSendContent } from "@parley/protocol";
import type { Actor } from "../../actor";
import { dialogNotFound } from "../../dialog/access";
import { AppError } from "../../errors";
import type { CoreServices } from "../../services";

export type SendInput = {
  dialogId: string;
  clientMsgId: string;
  clientSeq: number;
  /** A message, or a change to one (edit, delete, reaction): both take the same path. */
  content: TSendContent;
};

/**
 * Try (message store): the pending row, keyed forever by (dialog, sender client, client_msg_id), so a
 * retry — from this process or any other, before or after a restart — finds the original row and
 * its msg_id instead of creating a second message. Membership is checked by the same statement.
 */
export async function tryMessage(
  deps: Pick<CoreServices, "db" | "ids" | "clock">,
  actor: Actor,
  input: SendInput,
): Promise<MessageRow> {
  const row = newPendingRow(deps, actor, input);
  const inserted = await insertPendingMessage(deps.db, row);
  if (inserted === "inserted") return row;
  if (inserted === "not-member") throw dialogNotFound();
  const original = await findMessageByClientMsgId(deps.db, input.dialogId, actor.clientId, input.clientMsgId);
  if (!original) throw new AppError("INTERNAL_SERVER_ERROR", "message vanished during send");
  // A client that renumbered its queue (its numbering was ahead of the server's) resends the same
  // clientMsgId under a new clientSeq: while the row is pending the newest number is the one that
  // counts — Confirm writes it with the commit — so one message stays one row, never two.
  if (original.status === "pending" && original.clientSeq !== input.clientSeq) {
    return { ...original, clientSeq: input.clientSeq };
  }
  return original;
}

/** The pending row Try inserts, with a fresh msg_id. */
export function newPendingRow(
  { ids, clock }: Pick<CoreServices, "ids" | "clock">,
  actor: Actor,
  input: SendInput,
): MessageRow {
  const now = new Date(clock.now());
  return {
    dialogId: input.dialogId,
    id: ids.nextId(),
    senderId: actor.userId,
    senderClientId: actor.clientId,
    clientMsgId: input.clientMsgId,
    clientSeq: input.clientSeq,
    kind: input.content.kind,
    content: input.content,
    status: "pending",
    seq: null,
    createdAt: now,
    updatedAt: now,
    // What the database derives and defaults for a new message (search_text is a generated column).
    searchText: "text" in input.content ? (input.content.text ?? null) : null,
    targetId: null,
    version: 0,
    editedAt: null,
    reactions: null,
  };
}
