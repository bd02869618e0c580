import { setMemberMuted } from "@parley/db/queries";
import type { Actor } from "../actor";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceReadRateLimit } from "../limits/rate-limit";
import { publishToUsers } from "../notify/publish";
import type { CoreServices } from "../services";
import { requireMember } from "./access";

/**
 * Mutes or unmutes a dialog for the caller, on every device: stored on the member row, answered by
 * `dialog.list` / `dialog.get` (`muted`). The caller's other clients hear a `dialog` "updated" event
 * and refetch. Members only (a non-member gets NOT_FOUND, as everywhere); on the read budget — it is
 * one small write of the caller's own row.
 */
export async function setDialogMuted(
  deps: LimitDeps & Pick<CoreServices, "db" | "events">,
  actor: Actor,
  input: { dialogId: string; muted: boolean },
): Promise<{ muted: boolean }> {
  await enforceReadRateLimit(deps, actor);
  const member = await requireMember(deps.db, input.dialogId, actor.userId);
  if (member.muted !== input.muted) await setMemberMuted(deps.db, input.dialogId, actor.userId, input.muted);
  publishToUsers(deps.events, [actor.userId], {
    type: "dialog",
    dialogId: input.dialogId,
    change: "updated",
    lastSeq: 0,
  });
  return { muted: input.muted };
}
