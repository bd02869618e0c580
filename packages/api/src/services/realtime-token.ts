import { listBigDialogIds } from "@parley/db/queries";
import { MAX_TOKEN_BIG_DIALOGS } from "@parley/protocol";
import type { ApiServices, Viewer } from "../context";

/**
 * The realtime token with its `dlg` claim: the user's big groups, newest first, read from the user's
 * shard alone (one range read of user_dialogs_big_idx; cost in docs/capacity.md). A member removed
 * from a big group lost its inbox row, so its next token no longer lists the dialog.
 */
export async function mintRealtimeToken(services: ApiServices, viewer: Viewer) {
  const dialogIds = await listBigDialogIds(services.db, viewer.userId, MAX_TOKEN_BIG_DIALOGS);
  return services.auth.mintRealtimeToken(viewer, dialogIds);
}
