import type { Viewer } from "@parley/auth";
import { listBigDialogIds } from "@parley/db/queries";
import { MAX_TOKEN_BIG_DIALOGS } from "@parley/protocol";
import type { CoreServices } from "../services";

/**
 * The realtime token with its `dlg` claim: the user's big groups, newest first, read from the user's
 * shard alone (one range read of user_dialogs_big_idx; cost in docs/capacity.md). A member removed
 * from a big group lost its inbox row, so its next token no longer lists the dialog.
 */
export async function mintRealtimeToken(deps: Pick<CoreServices, "db" | "auth">, viewer: Viewer) {
  // One more than fits: whether the user has big groups the token cannot list.
  const dialogIds = await listBigDialogIds(deps.db, viewer.userId, MAX_TOKEN_BIG_DIALOGS + 1);
  const listed = dialogIds.slice(0, MAX_TOKEN_BIG_DIALOGS);
  const signed = await deps.auth.mintRealtimeToken(viewer, listed);
  // Such a client polls dialog.changes (the engine: every ~30 s), since no push reaches it for them.
  return { ...signed, unlistedBigDialogs: dialogIds.length > listed.length };
}
