/** Server-side bounds: every page and list is capped whatever the client asks. */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_GROUP_MEMBERS = 1_000;
/** Receipts are pushed per member only in 1:1 and small groups. */
export const RECEIPT_MAX_MEMBERS = 32;
/**
 * The inbox is ordered by activity across shards in memory, over the user's newest this many
 * dialogs (docs/design.md, "The inbox limit").
 */
export const INBOX_SCAN_LIMIT = 2_000;
/** dialog.changes pages: one range read on the user shard, then one IN per dialog-keyed table. */
export const CHANGES_PAGE_SIZE = 1_000;
export const MAX_MEMBERS_PER_CHANGE = 100;
