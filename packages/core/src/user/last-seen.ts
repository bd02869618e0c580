import { getLastSeen, listContactIds } from "@parley/db/queries";
import type { Actor } from "../actor";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceReadRateLimit } from "../limits/rate-limit";
import type { CoreServices } from "../services";

/**
 * When people the caller shares a dialog with were last seen (the newest `last_seen_at` over their
 * clients, written by the worker's presence recorder when a socket closes). The same rule as
 * presence tickets: ids that share no dialog with the caller are left out silently, so an unknown id
 * and a stranger look alike. On the read budget: up to three bounded reads per call.
 */
export async function listLastSeen(
  deps: LimitDeps & Pick<CoreServices, "db">,
  actor: Actor,
  userIds: readonly string[],
): Promise<{ userId: string; lastSeenAt: number | null }[]> {
  await enforceReadRateLimit(deps, actor);
  const wanted = [...new Set(userIds)].filter((id) => id !== actor.userId);
  const contacts = await listContactIds(deps.db, actor.userId, wanted, deps.options.inboxScanLimit);
  const peers = wanted.filter((id) => contacts.has(id));
  const seen = await getLastSeen(deps.db, peers);
  return peers.map((userId) => ({ userId, lastSeenAt: seen.get(userId)?.getTime() ?? null }));
}
