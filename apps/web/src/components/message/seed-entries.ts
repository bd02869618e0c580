import type { TMessage } from "@parley/protocol";
import type { TimelineEntry } from "~/sync/types";

const CHANGE_KINDS = new Set(["edit", "delete", "reaction"]);

/**
 * A server-rendered history page as timeline entries, before the sync engine runs: the same view
 * the engine gives — change rows (edits, deletes, reactions) are not messages, and each message
 * shows its current state (tombstone, "edited", reactions with mine, a reply's quote).
 */
export function seedEntries(messages: readonly TMessage[], viewerId: string): TimelineEntry[] {
  return messages
    .filter((message) => !CHANGE_KINDS.has(message.content.kind))
    .map((message) => {
      const content = message.content;
      const isOwn = message.senderId === viewerId;
      const state = message.state;
      return {
        key: message.id,
        id: message.id,
        seq: message.seq,
        senderId: message.senderId,
        isOwn,
        text: "text" in content && typeof content.text === "string" ? content.text : "",
        createdAt: message.createdAt,
        status: isOwn ? "sent" : "received",
        kind: content.kind,
        ...(content.kind === "deleted" ? { deleted: true } : {}),
        ...(state?.editedAt ? { editedAt: state.editedAt } : {}),
        ...(state && state.reactions.length > 0
          ? {
              reactions: state.reactions.map((r) => ({
                emoji: r.emoji,
                count: r.count,
                userIds: r.userIds,
                mine: r.mine ?? r.userIds.includes(viewerId),
              })),
            }
          : {}),
        ...(message.reply ? { reply: message.reply } : {}),
      };
    });
}
