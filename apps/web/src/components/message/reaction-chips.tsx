"use client";

import type { ReactionChip } from "~/sync/types";

/** Reaction counts under a message; mine are highlighted, and a chip toggles my reaction. */
export function ReactionChips({
  reactions,
  nameOf,
  viewerId,
  onToggle,
}: {
  reactions: ReactionChip[];
  nameOf: (userId: string) => string;
  viewerId: string;
  onToggle: (emoji: string, on: boolean) => void;
}) {
  if (reactions.length === 0) return null;
  return (
    <div className="reactions" data-testid="reactions">
      {reactions.map((reaction) => {
        const names = reaction.userIds.map((id) => (id === viewerId ? "You" : nameOf(id)));
        const others = reaction.count - names.length;
        const who = `${names.join(", ")}${others > 0 ? ` and ${others} more` : ""}`;
        return (
          <button
            key={reaction.emoji}
            type="button"
            className={`reaction-chip${reaction.mine ? " mine" : ""}`}
            aria-pressed={reaction.mine}
            aria-label={`${reaction.emoji} ${reaction.count}: ${who}`}
            title={who}
            data-testid="reaction-chip"
            data-emoji={reaction.emoji}
            onClick={() => onToggle(reaction.emoji, !reaction.mine)}
          >
            <span aria-hidden="true">{reaction.emoji}</span>
            <span className="reaction-count">{reaction.count}</span>
          </button>
        );
      })}
    </div>
  );
}
