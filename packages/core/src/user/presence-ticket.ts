import type { Viewer } from "@parley/auth";
import { listContactIds } from "@parley/db/queries";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceReadRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";

/**
 * A presence watch ticket for the users among `userIds` who share a dialog with the caller: gateways
 * have no database, so the API decides who is watchable and signs the answer (docs/protocol.md
 * "Presence"). Ids that share no dialog are left out silently — the answer says which were kept,
 * never why one was not (an unknown id and a stranger look alike). Counted on the read budget: each
 * call is up to two bounded reads.
 */
export async function mintPresenceTicket(
  deps: LimitDeps & Pick<CoreServices, "db" | "auth">,
  viewer: Viewer,
  userIds: readonly string[],
) {
  await enforceReadRateLimit(deps, viewer);
  const wanted = [...new Set(userIds)].filter((id) => id !== viewer.userId);
  const contacts = await listContactIds(deps.db, viewer.userId, wanted, deps.options.inboxScanLimit);
  const peers = wanted.filter((id) => contacts.has(id));
  const signed = await deps.auth.mintPresenceTicket(viewer, peers);
  return { ticket: signed.token, expiresAt: signed.expiresAt, userIds: peers };
}
