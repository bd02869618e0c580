import { ZId, ZMessage, ZProfileVersion } from "@parley/protocol";
import { z } from "zod";

/**
 * What the read and receipt procedures answer. Declared as `.output()` so the answer is checked on
 * the way out and typed for every client (`@parley/client` infers its API from the router, so the
 * contract lives here and nowhere else).
 */

const ZSeqOrZero = z.number().int().min(0);

/** dialog.sync / dialog.history: a page of messages in seq order and the dialog's last seq. */
export const ZSyncPage = z.object({
  messages: z.array(ZMessage),
  /** The dialog's last seq when the page was read (a message committed meanwhile may be in the page). */
  lastSeq: ZSeqOrZero,
  hasMore: z.boolean(),
});

export const ZDialogChange = z.object({
  dialogId: ZId,
  lastSeq: ZSeqOrZero,
  readSeq: ZSeqOrZero,
  deliveredSeq: ZSeqOrZero,
  /** The title/avatar version (a group's `groupInfo` events carry it; 0 for direct dialogs). */
  profileVersion: ZProfileVersion,
});

/** dialog.changes: one page of the caller's dialogs; ask again with `nextCursor` until it is null. */
export const ZChangesPage = z.object({
  dialogs: z.array(ZDialogChange),
  nextCursor: ZId.nullable(),
});

/** dialog.markDelivered / markRead: the caller's watermarks after the mark (never moved back). */
export const ZWatermarks = z.object({ deliveredSeq: ZSeqOrZero, readSeq: ZSeqOrZero });

/** dialog.typing: when the indicator lapses unless typing is reported again. */
export const ZTypingOutput = z.object({ expiresAt: z.number().int() });
