import { takeWindowBudgets, type WindowBudget } from "@parley/auth";
import { AppError } from "../errors";
import type { RateLimit } from "../options";
import type { CoreServices } from "../services";

/** What a budget check uses: the counters in Redis, this process's leases of them, the limits. */
export type LimitDeps = Pick<CoreServices, "redis" | "budgetLeases" | "options">;

type Bucket =
  | "read"
  | "send"
  | "typing"
  | "lookup"
  | "strangerLookup"
  | "profile"
  | "groupCreate"
  | "memberAdd"
  | "profileEdit"
  | "peopleSearch"
  | "messageSearch";

const REFUSALS: Record<Bucket, string> = {
  typing: "too many typing notices; slow down",
  read: "too many sync requests; slow down",
  send: "too many messages from this client; retry the same message later",
  lookup: "too many handle lookups; wait a minute and try again",
  strangerLookup: "too many lookups of users you share no dialog with; wait a minute and try again",
  profile: "too many profile requests; slow down",
  groupCreate: "too many groups created; try again later",
  memberAdd: "too many members added; try again later",
  profileEdit: "too many name or picture changes; try again in a few minutes",
  peopleSearch: "too many people searches; wait a minute and try again",
  messageSearch: "too many message searches; wait a moment and try again",
};

/**
 * Fixed-window budgets kept in Redis (the UAA's counter, @parley/auth fixed-window) so every API
 * process shares them: an abusive client is slowed down whichever process it hits. `read` covers the
 * polling endpoints (sync, history, changes); `send` bounds how fast one client can push messages into
 * its dialogs (each one is several row writes and a push per member); `lookup` bounds handle
 * lookups (user.byHandle), which would otherwise enumerate every handle.
 */
async function enforceRateLimit(
  deps: LimitDeps,
  bucket: Bucket,
  budgets: WindowBudget[],
  windowMs: number,
  cost = 1,
  leased = false,
): Promise<void> {
  let verdict: Awaited<ReturnType<typeof takeWindowBudgets>>;
  try {
    verdict =
      leased && cost === 1
        ? await spendLeased(deps, budgets, windowMs)
        : await takeWindowBudgets(deps.redis, budgets, windowMs, cost);
  } catch (error) {
    // Fail open: an outage of the limiter must not stop clients from catching up or sending.
    console.warn("[rate-limit] Redis unavailable:", error instanceof Error ? error.message : error);
    return;
  }
  if (!verdict.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", REFUSALS[bucket], {
      retryAfterMs: verdict.retryAfterMs,
      ...(bucket === "send" ? { status: "pending" } : {}),
    });
  }
}

/** Each budget from its own per-process lease: usually no Redis round trip at all. */
async function spendLeased(
  deps: LimitDeps,
  budgets: WindowBudget[],
  windowMs: number,
): Promise<Awaited<ReturnType<typeof takeWindowBudgets>>> {
  for (const budget of budgets) {
    const verdict = await deps.budgetLeases.spend(budget.key, budget.max, windowMs, (hits) =>
      takeWindowBudgets(deps.redis, [budget], windowMs, hits),
    );
    if (!verdict.allowed) return verdict;
  }
  return { allowed: true };
}

/**
 * Per client, and per user across all of its clients: signing in on more devices (or opening more
 * tabs) does not multiply what one account may push into the API. The hot budgets (every send, every
 * sync) are spent from per-process leases (budget-lease.ts).
 */
function enforceClientRateLimit(
  deps: LimitDeps,
  actor: { userId: string; clientId: string },
  bucket: "read" | "send" | "typing",
  { max, windowMs, perUserMax }: RateLimit,
): Promise<void> {
  const budgets = [{ key: `rl:${bucket}:${actor.clientId}`, max }];
  if (perUserMax !== undefined) budgets.push({ key: `rl:${bucket}:u:${actor.userId}`, max: perUserMax });
  return enforceRateLimit(deps, bucket, budgets, windowMs, 1, true);
}

type Actor = { userId: string; clientId: string };

export function enforceReadRateLimit(deps: LimitDeps, actor: Actor): Promise<void> {
  return enforceClientRateLimit(deps, actor, "read", deps.options.readRateLimit);
}

/**
 * Typing notices: an honest client sends one every few seconds while typing; each accepted one is a
 * push to every other member, so a loop of them would be a free amplifier (and a database read each).
 */
export function enforceTypingRateLimit(deps: LimitDeps, actor: Actor): Promise<void> {
  return enforceClientRateLimit(deps, actor, "typing", deps.options.typingRateLimit);
}

export function enforceSendRateLimit(deps: LimitDeps, actor: Actor): Promise<void> {
  return enforceClientRateLimit(deps, actor, "send", deps.options.sendRateLimit);
}

/**
 * Handle lookups per client and per user (a user's many clients share the second budget, so signing
 * in again does not buy a fresh allowance). Keys name ids, never the handles looked up. Profiles of
 * users the caller shares no dialog with (user.byIds) spend the same budget, one hit per id
 * (`strangers`): looking people up by id is as strictly bounded as by handle.
 */
export function enforceLookupRateLimit(
  deps: LimitDeps,
  viewer: { userId: string; clientId: string },
  strangers?: number,
): Promise<void> {
  const { perClientMax, perUserMax, windowMs } = deps.options.lookupRateLimit;
  return enforceRateLimit(
    deps,
    strangers === undefined ? "lookup" : "strangerLookup",
    [
      { key: `rl:lookup:c:${viewer.clientId}`, max: perClientMax },
      { key: `rl:lookup:u:${viewer.userId}`, max: perUserMax },
    ],
    windowMs,
    strangers ?? 1,
  );
}

/** user.byIds calls per client, whatever they ask for: each one is a few reads however cheap. */
export function enforceProfileRateLimit(deps: LimitDeps, clientId: string): Promise<void> {
  const { max, windowMs } = deps.options.profileRateLimit;
  return enforceRateLimit(deps, "profile", [{ key: `rl:profile:${clientId}`, max }], windowMs);
}

/** Groups a user creates (all of its clients together): each one lands in every member's inbox. */
export function enforceGroupCreateRateLimit(deps: LimitDeps, userId: string): Promise<void> {
  const { max, windowMs } = deps.options.groupCreateRateLimit;
  return enforceRateLimit(deps, "groupCreate", [{ key: `rl:group:${userId}`, max }], windowMs);
}

/**
 * People a user puts into dialogs (group creation, addMembers, openDirect), one hit per id asked
 * for, existing or not and whether or not the add goes through: every add lands in someone's inbox,
 * and every answer says whether the ids exist.
 */
export function enforceMemberAddRateLimit(deps: LimitDeps, userId: string, count: number): Promise<void> {
  if (count <= 0) return Promise.resolve();
  const { max, windowMs } = deps.options.memberAddRateLimit;
  return enforceRateLimit(deps, "memberAdd", [{ key: `rl:adds:${userId}`, max }], windowMs, count);
}

/**
 * Display names, group titles and avatars a user changes (all of its clients together): each change
 * is pushed to everyone who shares a dialog with them (up to thousands), so it is budgeted per user.
 */
export function enforceProfileEditRateLimit(deps: LimitDeps, userId: string): Promise<void> {
  const { max, windowMs } = deps.options.profileEditRateLimit;
  return enforceRateLimit(deps, "profileEdit", [{ key: `rl:pedit:${userId}`, max }], windowMs);
}

/** Per client, and per user across its clients, in one window. */
function clientAndUserBudgets(prefix: string, actor: Actor, limit: RateLimit): WindowBudget[] {
  const budgets = [{ key: `${prefix}:c:${actor.clientId}`, max: limit.max }];
  if (limit.perUserMax !== undefined)
    budgets.push({ key: `${prefix}:u:${actor.userId}`, max: limit.perUserMax });
  return budgets;
}

/**
 * search.people: each answer names up to ten people, so it is held tighter than a handle lookup per
 * call — a minute's budget per client and per user, and an hour's per user, so a script cannot list
 * people faster than ten per hit, a few hundred hits an hour. Misses count.
 */
export async function enforcePeopleSearchRateLimit(deps: LimitDeps, actor: Actor): Promise<void> {
  const { peopleSearchRateLimit: minute, peopleSearchHourlyLimit: hour } = deps.options;
  await enforceRateLimit(
    deps,
    "peopleSearch",
    clientAndUserBudgets("rl:psearch", actor, minute),
    minute.windowMs,
  );
  await enforceRateLimit(
    deps,
    "peopleSearch",
    [{ key: `rl:psearch:h:${actor.userId}`, max: hour.max }],
    hour.windowMs,
  );
}

/** search.messages: each is a FULLTEXT read over up to a hundred of the caller's dialogs. */
export function enforceMessageSearchRateLimit(deps: LimitDeps, actor: Actor): Promise<void> {
  const limit = deps.options.messageSearchRateLimit;
  return enforceRateLimit(
    deps,
    "messageSearch",
    clientAndUserBudgets("rl:msearch", actor, limit),
    limit.windowMs,
  );
}
