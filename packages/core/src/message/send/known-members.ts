const KNOWN_MEMBERS_LIMIT = 50_000;

/**
 * The fused send path takes the dialog lock in the same round trip as Try, before Try's membership
 * answer is known. So only senders this process saw confirmed as members (under the lock) take it: a
 * stranger's send is refused by Try alone and never queues on, or holds, a dialog's lock. A member
 * removed since takes the lock at most once per process (one round trip, then rolled back), and is
 * forgotten. Keys are `dialogId:userId`, oldest dropped first past KNOWN_MEMBERS_LIMIT.
 */
export type KnownMembers = Map<string, true>;

export function createKnownMembers(): KnownMembers {
  return new Map();
}

export function isKnownMember(known: KnownMembers, dialogId: string, userId: string): boolean {
  return known.has(`${dialogId}:${userId}`);
}

export function rememberMember(known: KnownMembers, dialogId: string, userId: string): void {
  const key = `${dialogId}:${userId}`;
  if (known.has(key)) return;
  if (known.size >= KNOWN_MEMBERS_LIMIT) {
    const oldest = known.keys().next();
    if (!oldest.done) known.delete(oldest.value);
  }
  known.set(key, true);
}

export function forgetMember(known: KnownMembers, dialogId: string, userId: string): void {
  known.delete(`${dialogId}:${userId}`);
}
