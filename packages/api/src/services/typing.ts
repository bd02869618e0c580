import { listMemberUserIds } from "@parley/db/queries";
import type { ApiServices } from "../context";
import { requireMember } from "./access";
import type { Actor } from "./actor";
import { publishToUsers } from "./publish";

const TYPING_TTL_MS = 6_000;
/** Typing in big groups is shed: it would be one push per member per keystroke burst. */
const TYPING_MAX_MEMBERS = 100;

/** Ephemeral: published to the other members, never stored; clients drop it after expiresAt. */
export async function sendTyping(
  services: ApiServices,
  actor: Actor,
  dialogId: string,
): Promise<{ expiresAt: number }> {
  await requireMember(services.db, dialogId, actor.userId);
  const expiresAt = Date.now() + TYPING_TTL_MS;
  const members = await listMemberUserIds(services.db, dialogId);
  if (members.length > TYPING_MAX_MEMBERS) return { expiresAt };
  const others = members.filter((userId) => userId !== actor.userId);
  publishToUsers(services.events, others, { type: "typing", dialogId, userId: actor.userId, expiresAt });
  return { expiresAt };
}
