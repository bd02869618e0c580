import type { PublicUser } from "@parley/auth";
import type { Actor } from "../actor";
import { AppError } from "../errors";
import { enforceLookupRateLimit, type LimitDeps } from "../limits/rate-limit";
import type { CoreServices } from "../services";

/**
 * Public profile fields of a handle, for starting a chat. Budgeted per client and per user, and
 * counted before the lookup, misses included (misses are what a scraper mostly gets): answered
 * freely, it would list every handle to anyone with an account.
 */
export async function findUserByHandle(
  deps: LimitDeps & Pick<CoreServices, "auth">,
  actor: Actor,
  handle: string,
): Promise<PublicUser> {
  await enforceLookupRateLimit(deps, actor);
  const user = await deps.auth.findUserByHandle(handle);
  if (!user) throw new AppError("NOT_FOUND", "no user with this handle");
  return user;
}
