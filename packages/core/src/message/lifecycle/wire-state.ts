import type { MessageStateRow, StoredReaction } from "@parley/db/queries";
import {
  REPLY_PREVIEW_LENGTH,
  type TChangeTarget,
  type TMessageState,
  type TReplyPreview,
  ZChangeTarget,
} from "@parley/protocol";

/** What a message shows now (its content, or a tombstone once deleted) as the wire carries it. */
export function shownContentOf(row: MessageStateRow): TChangeTarget["content"] {
  const parsed = ZChangeTarget.shape.content.safeParse(row.content);
  return parsed.success ? parsed.data : { kind: "text", text: "[unsupported message]" };
}

/**
 * A message's state on the wire. `mine` (the reader's own emoji) is known on pages only: a push is
 * the same JSON for every member, so it leaves `mine` to the client (it knows its own changes).
 */
export function toWireState(row: MessageStateRow, mine?: ReadonlySet<string>): TMessageState {
  return {
    version: row.version,
    editedAt: row.editedAt?.getTime() ?? null,
    reactions: row.reactions.map((reaction: StoredReaction) => ({
      emoji: reaction.emoji,
      count: reaction.count,
      userIds: reaction.userIds,
      ...(mine ? { mine: mine.has(reaction.emoji) } : {}),
    })),
  };
}

/** Whether a row has anything beyond its content (edited, reacted, deleted): worth a `state`. */
export function hasState(row: MessageStateRow): boolean {
  return row.version > 0 || row.reactions.length > 0;
}

export function toChangeTarget(row: MessageStateRow, mine?: ReadonlySet<string>): TChangeTarget | null {
  if (row.seq === null) return null;
  return { id: row.id, seq: row.seq, content: shownContentOf(row), state: toWireState(row, mine) };
}

/** A reply's quote: the original's sender and first characters, or no text once it is deleted. */
export function toReplyPreview(original: MessageStateRow): TReplyPreview | null {
  if (original.seq === null) return null;
  const content = shownContentOf(original);
  const text =
    "text" in content && typeof content.text === "string"
      ? [...content.text].slice(0, REPLY_PREVIEW_LENGTH).join("")
      : null;
  return { id: original.id, seq: original.seq, senderId: original.senderId, text };
}
