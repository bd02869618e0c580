import { listMemberUserIds } from "@parley/db/queries";
import type { Actor } from "../actor";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceTypingRateLimit } from "../limits/rate-limit";
import { publishToUsers } from "../notify/publish";
import type { CoreServices } from "../services";
import { requireMember } from "./access";

const TYPING_TTL_MS = 6_000;

/**
 * At most one typing push per (client, dialog) per interval, shared by every API process: each push
 * fans out to up to BIG_GROUP_MIN_MEMBERS − 1 members, so an unthrottled client calling in a loop would be a free
 * amplifier. The TTL is far shorter than TYPING_TTL_MS, so an honest client's indicator never lapses.
 */
const TYPING_MIN_INTERVAL_MS = 1_000;

async function claimTypingSlot(
  deps: Pick<CoreServices, "redis">,
  clientId: string,
  dialogId: string,
): Promise<boolean> {
  try {
    const claimed = await deps.redis.set(
      `typing:${clientId}:${dialogId}`,
      "1",
      "PX",
      TYPING_MIN_INTERVAL_MS,
      "NX",
    );
    return claimed === "OK";
  } catch {
    // Typing is best effort: without Redis it is shed, never a reason to fail the call.
    return false;
  }
}

/** Ephemeral: published to the other members, never stored; clients drop it after expiresAt. */
export async function sendTyping(
  deps: LimitDeps & Pick<CoreServices, "db" | "events" | "clock">,
  actor: Actor,
  dialogId: string,
): Promise<{ expiresAt: number }> {
  // Budget and throttle first: both are cheap (a local lease, one Redis key) and turn a loop of
  // calls away before any database read.
  await enforceTypingRateLimit(deps, actor);
  const expiresAt = deps.clock.now() + TYPING_TTL_MS;
  if (!(await claimTypingSlot(deps, actor.clientId, dialogId))) return { expiresAt };
  await requireMember(deps.db, dialogId, actor.userId);
  const members = await listMemberUserIds(deps.db, dialogId);
  // Typing in big groups is shed: it would be one push per member per keystroke burst.
  if (members.length >= deps.options.bigGroupMinMembers) return { expiresAt };
  const others = members.filter((userId) => userId !== actor.userId);
  publishToUsers(deps.events, others, { type: "typing", dialogId, userId: actor.userId, expiresAt });
  return { expiresAt };
}
