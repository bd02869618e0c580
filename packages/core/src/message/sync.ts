import {
  getDialog,
  getDialogLastSeqs,
  getMembersOfUser,
  listTimeline,
  listUserDialogsAfter,
} from "@parley/db/queries";
import type { TMessage } from "@parley/protocol";
import type { Actor } from "../actor";
import { dialogNotFound, requireMember } from "../dialog/access";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceReadRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";
import { withMessageStates } from "./lifecycle";
import { toWireMessage } from "./wire";

/** A read of my dialogs: the database and the read budget. */
export type ReadDeps = LimitDeps & Pick<CoreServices, "db">;

export type SyncPage = { messages: TMessage[]; lastSeq: number; hasMore: boolean };

/**
 * Gap fill and catch-up: messages with seq > afterSeq, oldest first, one shard. Because seq is
 * assigned under the dialog lock held to commit, a page never skips a seq that commits later.
 * A member sees what was sent after it joined.
 */
export async function syncDialog(
  deps: ReadDeps,
  actor: Actor,
  input: { dialogId: string; afterSeq: number; limit: number },
): Promise<SyncPage> {
  await enforceReadRateLimit(deps, actor);
  const member = await requireMember(deps.db, input.dialogId, actor.userId);
  const dialog = await getDialog(deps.db, input.dialogId);
  if (!dialog) throw dialogNotFound();
  const page = await listTimeline(deps.db, input.dialogId, {
    afterSeq: Math.max(input.afterSeq, member.joinedSeq),
    beforeSeq: Number.MAX_SAFE_INTEGER,
    limit: input.limit + 1,
    newestFirst: false,
  });
  const hasMore = page.length > input.limit;
  const reader = { dialogId: input.dialogId, userId: actor.userId, joinedSeq: member.joinedSeq };
  const messages = await withMessageStates(deps.db, reader, page.slice(0, input.limit).map(toWireMessage));
  return { messages, lastSeq: dialog.lastSeq, hasMore };
}

/** Older pages, newest first from `beforeSeq` (default: the end), returned in ascending seq order. */
export async function dialogHistory(
  deps: ReadDeps,
  actor: Actor,
  input: { dialogId: string; beforeSeq: number | null; limit: number },
): Promise<SyncPage> {
  await enforceReadRateLimit(deps, actor);
  const member = await requireMember(deps.db, input.dialogId, actor.userId);
  const dialog = await getDialog(deps.db, input.dialogId);
  if (!dialog) throw dialogNotFound();
  const page = await listTimeline(deps.db, input.dialogId, {
    afterSeq: member.joinedSeq,
    beforeSeq: input.beforeSeq ?? Number.MAX_SAFE_INTEGER,
    limit: input.limit + 1,
    newestFirst: true,
  });
  const hasMore = page.length > input.limit;
  const reader = { dialogId: input.dialogId, userId: actor.userId, joinedSeq: member.joinedSeq };
  const wire = page.slice(0, input.limit).reverse().map(toWireMessage);
  const messages = await withMessageStates(deps.db, reader, wire);
  return { messages, lastSeq: dialog.lastSeq, hasMore };
}

/** `profileVersion`: the group's title/avatar version, so a client that missed a `groupInfo` push sees it. */
export type DialogChange = {
  dialogId: string;
  lastSeq: number;
  readSeq: number;
  deliveredSeq: number;
  profileVersion: number;
};

export type ChangesPage = { dialogs: DialogChange[]; nextCursor: string | null };

/**
 * Reconnect catch-up, one page: my dialogs after `cursor` in dialog id order (a range read on the
 * user shard) and their last_seq (IN on the dialog key). The client syncs each dialog whose last_seq
 * is past what it holds and asks again with `nextCursor` until it is null. The cursor is the last
 * dialog id read, not the last one listed, so a page whose rows are all leftovers of a half-done
 * leave still advances. Each page counts against the read budget.
 */
export async function listChanges(deps: ReadDeps, actor: Actor, cursor: string | null): Promise<ChangesPage> {
  await enforceReadRateLimit(deps, actor);
  const pageSize = deps.options.changesPageSize;
  const entries = await listUserDialogsAfter(deps.db, actor.userId, {
    afterDialogId: cursor,
    limit: pageSize,
  });
  const dialogIds = entries.map((entry) => entry.dialogId);
  const [lastSeqs, members] = await Promise.all([
    getDialogLastSeqs(deps.db, dialogIds),
    getMembersOfUser(deps.db, dialogIds, actor.userId),
  ]);
  const memberByDialog = new Map(members.map((member) => [member.dialogId, member]));
  const lastSeqByDialog = new Map(lastSeqs.map((row) => [row.dialogId, row]));
  // In dialog id order (the IN reads come back in any order), so pages concatenate in order.
  const dialogs = dialogIds.flatMap((dialogId) => {
    const member = memberByDialog.get(dialogId);
    const row = lastSeqByDialog.get(dialogId);
    return member && row !== undefined
      ? [
          {
            dialogId,
            lastSeq: row.lastSeq,
            readSeq: member.readSeq,
            deliveredSeq: member.deliveredSeq,
            profileVersion: row.profileVersion,
          },
        ]
      : [];
  });
  const isFull = entries.length === pageSize;
  return { dialogs, nextCursor: isFull ? (dialogIds.at(-1) ?? null) : null };
}
