import {
  getDialog,
  getDialogsByIds,
  getMembersOfUser,
  listMembers,
  listNewestUserDialogs,
} from "@parley/db/queries";
import type { Actor } from "../actor";
import { AppError } from "../errors";
import { MAX_GROUP_MEMBERS } from "../limits/limits";
import type { CoreServices } from "../services";
import { dialogNotFound, requireMember } from "./access";
import { type DialogView, toDialogView } from "./dialog-view";

export async function getDialogView(
  deps: Pick<CoreServices, "db">,
  actor: Actor,
  dialogId: string,
): Promise<DialogView> {
  const member = await requireMember(deps.db, dialogId, actor.userId);
  const dialog = await getDialog(deps.db, dialogId);
  if (!dialog) throw dialogNotFound();
  const peerUserId = dialog.kind === "direct" ? await findPeer(deps, dialogId, actor.userId) : null;
  return toDialogView(dialog, member, peerUserId);
}

async function findPeer(
  deps: Pick<CoreServices, "db">,
  dialogId: string,
  userId: string,
): Promise<string | null> {
  const members = await listMembers(deps.db, dialogId, 2);
  return members.find((member) => member.userId !== userId)?.userId ?? null;
}

const UINT64_LIMIT = 1n << 64n;

export type InboxPage = { items: DialogView[]; nextCursor: string | null };

/**
 * The inbox: my newest dialogs (user shard, newest id first, capped at inboxScanLimit), then those
 * dialogs and my member rows (IN on the dialog key), ordered by latest activity. Activity lives on the
 * dialog shard, so the order is computed here over that bounded set rather than kept on every
 * member's user shard per message. Newest first so a cap never hides a new conversation; an old
 * dialog past the cap stays reachable by id (docs/design.md, "The inbox limit").
 */
export async function listInbox(
  deps: Pick<CoreServices, "db" | "options">,
  actor: Actor,
  page: { cursor: string | null; limit: number },
): Promise<InboxPage> {
  const scanLimit = deps.options.inboxScanLimit;
  const entries = await listNewestUserDialogs(deps.db, actor.userId, scanLimit);
  const dialogIds = entries.map((entry) => entry.dialogId);
  const [dialogs, members] = await Promise.all([
    getDialogsByIds(deps.db, dialogIds),
    getMembersOfUser(deps.db, dialogIds, actor.userId),
  ]);
  const memberByDialog = new Map(members.map((member) => [member.dialogId, member]));
  const peerByDialog = new Map(entries.map((entry) => [entry.dialogId, entry.peerUserId]));
  const views = dialogs.flatMap((dialog) => {
    const member = memberByDialog.get(dialog.id);
    // An inbox row without membership is a leftover of a half-done leave: not mine any more.
    return member ? [toDialogView(dialog, member, peerByDialog.get(dialog.id) ?? null)] : [];
  });
  views.sort(compareByActivity);
  const after = page.cursor ? parseCursor(page.cursor) : null;
  const start = after ? views.findIndex((view) => compareByActivity(view, after) > 0) : 0;
  const items = start < 0 ? [] : views.slice(start, start + page.limit);
  const last = items.at(-1);
  const hasMore = start >= 0 && start + page.limit < views.length;
  return { items, nextCursor: hasMore && last ? `${last.activityAt}:${last.id}` : null };
}

type ActivityKey = { activityAt: number; id: string };

/** Newest activity first; ties broken by id so the cursor is exact. */
function compareByActivity(a: ActivityKey, b: ActivityKey): number {
  if (a.activityAt !== b.activityAt) return b.activityAt - a.activityAt;
  const ia = BigInt(a.id);
  const ib = BigInt(b.id);
  return ia === ib ? 0 : ia > ib ? -1 : 1;
}

function parseCursor(cursor: string): ActivityKey {
  const match = /^(\d{1,15}):([1-9]\d{0,19})$/.exec(cursor);
  if (!match?.[1] || !match[2] || BigInt(match[2]) >= UINT64_LIMIT)
    throw new AppError("BAD_REQUEST", "bad cursor");
  return { activityAt: Number(match[1]), id: match[2] };
}

export type MemberView = {
  userId: string;
  role: "owner" | "admin" | "member";
  joinedSeq: number;
  deliveredSeq: number;
  readSeq: number;
};

/** Members with their watermarks, so a sender can show delivered / read. */
export async function listDialogMembers(
  deps: Pick<CoreServices, "db">,
  actor: Actor,
  dialogId: string,
): Promise<MemberView[]> {
  await requireMember(deps.db, dialogId, actor.userId);
  const members = await listMembers(deps.db, dialogId, MAX_GROUP_MEMBERS);
  return members.map((member) => ({
    userId: member.userId,
    role: member.role,
    joinedSeq: member.joinedSeq,
    deliveredSeq: member.deliveredSeq,
    readSeq: member.readSeq,
  }));
}
