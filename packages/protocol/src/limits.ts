/**
 * Most calls one tRPC HTTP request may batch. The server refuses larger batches (400), so one request
 * cannot fan out into unbounded work; every client link batches at most this many.
 */
export const MAX_TRPC_BATCH_SIZE = 20;

/**
 * A group with at least this many members becomes a big group, for good (never switches back): its
 * messages go out once on `chat.dialog.<id>` (dialogSubject) instead of once per member.
 */
export const BIG_GROUP_MIN_MEMBERS = 100;
/**
 * After a group becomes big, members keep getting per-member publishes this long: every realtime
 * token minted before the switch (life ≤ 60 s, plus clock skew) has been replaced by one that lists
 * the dialog, so every live socket is subscribed before the per-member publishes stop.
 */
export const BIG_GROUP_FANOUT_GRACE_MS = 90_000;
/**
 * Most big dialogs one realtime token lists (`dlg`); a user in more gets the newest this many. 100
 * keeps the token near 3.3 KB: it travels in the upgrade URL, and proxies commonly cap a request
 * line at 8 KB. Big groups past the newest 100 get no live pushes; they catch up via dialog.changes.
 */
export const MAX_TOKEN_BIG_DIALOGS = 100;
