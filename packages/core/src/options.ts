import { BIG_GROUP_FANOUT_GRACE_MS, BIG_GROUP_MIN_MEMBERS } from "@parley/protocol";
import { CHANGES_PAGE_SIZE, INBOX_SCAN_LIMIT } from "./limits/limits";

export type SendStep = { dialogId: string; msgId: string };

/**
 * Failure injection for tests: each hook may throw to simulate a crash at that point of the send
 * path. Production never sets them.
 */
export type SendFaults = {
  afterTry?: (step: SendStep) => void | Promise<void>;
  afterConfirm?: (step: SendStep) => void | Promise<void>;
  beforePublish?: (step: SendStep) => void | Promise<void>;
};

/** `max` per client; `perUserMax` (when set) across all clients of one user, in the same window. */
export type RateLimit = { max: number; windowMs: number; perUserMax?: number };

/** user.byHandle: per client, and per user across all of its clients, in one window. */
export type LookupRateLimit = { perClientMax: number; perUserMax: number; windowMs: number };

export type MessagingOptions = {
  faults?: SendFaults;
  /** Per-client budget for sync / history / changes, shared across processes through Redis. */
  readRateLimit?: RateLimit;
  /** Per-client budget for message.send (retries count), shared across processes through Redis. */
  sendRateLimit?: RateLimit;
  /** How long a clientSeq that is ahead waits for its predecessor before it is refused. */
  clientSeqWaitMs?: number;
  /** Handle lookups (user.byHandle), shared across processes through Redis. Not messaging, but the same budgets. */
  lookupRateLimit?: LookupRateLimit;
  /** user.byIds calls per client. */
  profileRateLimit?: RateLimit;
  /** dialog.typing per client and per user (each accepted one is a push to every member). */
  typingRateLimit?: RateLimit;
  /** Groups created per user (all its clients). */
  groupCreateRateLimit?: RateLimit;
  /** Ids put into dialogs per user (createGroup members, addMembers, openDirect peers). */
  memberAddRateLimit?: RateLimit;
  /** Name, title and avatar changes per user (each one is a push to everyone who shares a dialog). */
  profileEditRateLimit?: RateLimit;
  /** search.people per client and per user in one (short) window. */
  peopleSearchRateLimit?: RateLimit;
  /** search.people per user in a longer window (`max` only). */
  peopleSearchHourlyLimit?: RateLimit;
  /** search.messages per client and per user. */
  messageSearchRateLimit?: RateLimit;
  /** A group with at least this many members becomes big (one publish per message). Tests lower it. */
  bigGroupMinMembers?: number;
  /** After becoming big, per-member publishes continue this long (tokens listing it replace old ones). */
  bigGroupFanoutGraceMs?: number;
  /** Dialogs per dialog.changes page. Tests lower it to page a handful of dialogs. */
  changesPageSize?: number;
  /** How many of a user's newest dialogs the inbox orders by activity. Tests lower it. */
  inboxScanLimit?: number;
  /** A dialog quiet this long gets its last message re-published once (lost tail pushes); 0 = off. */
  tailQuietMs?: number;
};

export type ResolvedMessagingOptions = {
  faults: SendFaults;
  readRateLimit: RateLimit;
  sendRateLimit: RateLimit;
  clientSeqWaitMs: number;
  lookupRateLimit: LookupRateLimit;
  profileRateLimit: RateLimit;
  typingRateLimit: RateLimit;
  groupCreateRateLimit: RateLimit;
  memberAddRateLimit: RateLimit;
  profileEditRateLimit: RateLimit;
  peopleSearchRateLimit: RateLimit;
  peopleSearchHourlyLimit: RateLimit;
  messageSearchRateLimit: RateLimit;
  bigGroupMinMembers: number;
  bigGroupFanoutGraceMs: number;
  changesPageSize: number;
  inboxScanLimit: number;
  tailQuietMs: number;
};

export const DEFAULT_READ_RATE_LIMIT: RateLimit = { max: 120, windowMs: 10_000, perUserMax: 180 };
/** 60 messages/s sustained per client, with room for a burst of a whole queued backlog. */
/** Two a second per client, burst included; pushes are further held to one per second per dialog. */
export const DEFAULT_TYPING_RATE_LIMIT: RateLimit = { max: 20, windowMs: 10_000, perUserMax: 40 };
export const DEFAULT_SEND_RATE_LIMIT: RateLimit = { max: 600, windowMs: 10_000, perUserMax: 300 };

/**
 * A person types or pastes a few handles a minute (a new group: a handful, rarely dozens); a scraper
 * walking a wordlist needs thousands. One minute, so a person who hits it waits little.
 */
export const DEFAULT_LOOKUP_RATE_LIMIT: LookupRateLimit = {
  perClientMax: 60,
  perUserMax: 120,
  windowMs: 60_000,
};

/** See send/tail-beacon.ts: the bound on finding a lost last push is about this plus a second. */
export const DEFAULT_TAIL_QUIET_MS = 3_000;

/** A screen of names resolves in a call or two; a client polling profiles in a loop does not. */
export const DEFAULT_PROFILE_RATE_LIMIT: RateLimit = { max: 60, windowMs: 10_000 };
/** A person starts a few groups a day; 40 groups in a burst with a stranger in each is inbox spam. */
export const DEFAULT_GROUP_CREATE_RATE_LIMIT: RateLimit = { max: 20, windowMs: 60 * 60_000 };
/** Room for one full group (MAX_GROUP_MEMBERS) an hour; a script adding strangers runs out. */
export const DEFAULT_MEMBER_ADD_RATE_LIMIT: RateLimit = { max: 1_000, windowMs: 60 * 60_000 };
/** A few tries at a name or a picture; a loop of renames (each a fan-out) runs out quickly. */
export const DEFAULT_PROFILE_EDIT_RATE_LIMIT: RateLimit = { max: 20, windowMs: 10 * 60_000 };
/**
 * A person types a name and the box asks once per pause (a handful of calls per person found); a
 * script listing people gets ten per call and runs out within the hour (docs/auth.md).
 */
export const DEFAULT_PEOPLE_SEARCH_RATE_LIMIT: RateLimit = { max: 20, windowMs: 60_000, perUserMax: 30 };
export const DEFAULT_PEOPLE_SEARCH_HOURLY_LIMIT: RateLimit = { max: 300, windowMs: 60 * 60_000 };
/** Searching messages is a person's pace (a query per pause, paging a few times). */
export const DEFAULT_MESSAGE_SEARCH_RATE_LIMIT: RateLimit = { max: 30, windowMs: 60_000, perUserMax: 60 };

/** The options with a default for everything left out; done once, when a process's services are built. */
export function resolveMessagingOptions(options: MessagingOptions = {}): ResolvedMessagingOptions {
  return {
    faults: options.faults ?? {},
    readRateLimit: options.readRateLimit ?? DEFAULT_READ_RATE_LIMIT,
    sendRateLimit: options.sendRateLimit ?? DEFAULT_SEND_RATE_LIMIT,
    clientSeqWaitMs: options.clientSeqWaitMs ?? 2_000,
    lookupRateLimit: options.lookupRateLimit ?? DEFAULT_LOOKUP_RATE_LIMIT,
    profileRateLimit: options.profileRateLimit ?? DEFAULT_PROFILE_RATE_LIMIT,
    typingRateLimit: options.typingRateLimit ?? DEFAULT_TYPING_RATE_LIMIT,
    groupCreateRateLimit: options.groupCreateRateLimit ?? DEFAULT_GROUP_CREATE_RATE_LIMIT,
    memberAddRateLimit: options.memberAddRateLimit ?? DEFAULT_MEMBER_ADD_RATE_LIMIT,
    profileEditRateLimit: options.profileEditRateLimit ?? DEFAULT_PROFILE_EDIT_RATE_LIMIT,
    peopleSearchRateLimit: options.peopleSearchRateLimit ?? DEFAULT_PEOPLE_SEARCH_RATE_LIMIT,
    peopleSearchHourlyLimit: options.peopleSearchHourlyLimit ?? DEFAULT_PEOPLE_SEARCH_HOURLY_LIMIT,
    messageSearchRateLimit: options.messageSearchRateLimit ?? DEFAULT_MESSAGE_SEARCH_RATE_LIMIT,
    bigGroupMinMembers: options.bigGroupMinMembers ?? BIG_GROUP_MIN_MEMBERS,
    bigGroupFanoutGraceMs: options.bigGroupFanoutGraceMs ?? BIG_GROUP_FANOUT_GRACE_MS,
    changesPageSize: options.changesPageSize ?? CHANGES_PAGE_SIZE,
    inboxScanLimit: options.inboxScanLimit ?? INBOX_SCAN_LIMIT,
    tailQuietMs: options.tailQuietMs ?? DEFAULT_TAIL_QUIET_MS,
  };
}
