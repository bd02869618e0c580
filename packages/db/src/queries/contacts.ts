import { and, desc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { dialogMembers, userDialogs } from "../schema/dialog";

/**
 * Which of `candidateIds` share a dialog with `userId` ("contacts": who may see each other's profile
 * without spending a lookup budget). Two steps, each routed by a shard key:
 *  1. the user's own inbox rows (user_dialogs, the user's shard; the newest `dialogLimit` joined):
 *     a direct dialog names its peer there;
 *  2. for the candidates still unanswered, the members of the user's groups among them
 *     (dialog_members, an IN on its shard key dialog_id and on user_id: primary-key probes).
 */
export async function listContactIds(
  db: DbOrTx,
  userId: string,
  candidateIds: readonly string[],
  dialogLimit: number,
): Promise<Set<string>> {
  const found = new Set<string>();
  if (candidateIds.length === 0) return found;
  const inbox = await db
    .select({ dialogId: userDialogs.dialogId, peerUserId: userDialogs.peerUserId })
    .from(userDialogs)
    .where(eq(userDialogs.userId, userId))
    .orderBy(desc(userDialogs.joinedAt))
    .limit(dialogLimit);
  const wanted = new Set(candidateIds);
  const groupIds: string[] = [];
  for (const row of inbox) {
    if (row.peerUserId === null) groupIds.push(row.dialogId);
    else if (wanted.has(row.peerUserId)) found.add(row.peerUserId);
  }
  const rest = [...wanted].filter((id) => !found.has(id));
  if (rest.length === 0 || groupIds.length === 0) return found;
  const members = await db
    .selectDistinct({ userId: dialogMembers.userId })
    .from(dialogMembers)
    .where(and(inArray(dialogMembers.dialogId, groupIds), inArray(dialogMembers.userId, rest)));
  for (const member of members) found.add(member.userId);
  return found;
}
