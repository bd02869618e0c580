import type {
  TChangeContent,
  TChangeTarget,
  TMessage,
  TMessageState,
  TReactionSummary,
  TSendContent,
  TTimelineContent,
} from "@parley/protocol";
import { REPLY_PREVIEW_LENGTH } from "@parley/protocol";

/**
 * How a client folds the message life cycle (edits, deletes, reactions) into what it holds. Every
 * change row carries its target's full state as of that change, with `version` = the seq of the last
 * change applied; a state replaces the one held only when its version is higher. States with the
 * same version are the same server state, so whatever order pushes and pages arrive in — repeated,
 * reordered, or after a long absence — every client ends with the state of the highest version.
 */

const CHANGE_KINDS = new Set(["edit", "delete", "reaction"]);

export function isChangeContent(content: TTimelineContent | TSendContent): content is TChangeContent {
  return CHANGE_KINDS.has(content.kind);
}

/** A timeline row that changes another one (it takes a seq but is not shown as a message). */
export function isChangeRow(message: TMessage): boolean {
  return isChangeContent(message.content);
}

export const versionOf = (message: TMessage): number => message.state?.version ?? 0;

/**
 * The held message with the target's state, if that state is newer; null otherwise. `mine` is
 * resolved for the viewer: a push is the same for every member and lists only the first reactors.
 */
export function withTargetState(
  held: TMessage,
  target: TChangeTarget,
  viewerId: string | undefined,
  change?: TMessage,
): TMessage | null {
  if (target.state.version <= versionOf(held)) return null;
  return {
    ...held,
    content: target.content,
    state: { ...target.state, reactions: resolveMine(target.state, held.state, viewerId, change) },
  };
}

/** A page row for a message already held: its state wins only if newer. */
export function withPageState(
  held: TMessage,
  incoming: TMessage,
  viewerId: string | undefined,
): TMessage | null {
  if (versionOf(incoming) <= versionOf(held) || !incoming.state) return null;
  return {
    ...held,
    content: incoming.content,
    state: { ...incoming.state, reactions: resolveMine(incoming.state, held.state, viewerId) },
    ...(incoming.reply ? { reply: incoming.reply } : {}),
  };
}

function resolveMine(
  next: TMessageState,
  previous: TMessageState | undefined,
  viewerId: string | undefined,
  change?: TMessage,
): TReactionSummary[] {
  return next.reactions.map((summary) => {
    if (summary.mine !== undefined) return summary;
    const mine = isMine(summary, previous, viewerId, change);
    return { ...summary, mine };
  });
}

function isMine(
  summary: TReactionSummary,
  previous: TMessageState | undefined,
  viewerId: string | undefined,
  change?: TMessage,
): boolean {
  if (viewerId === undefined) return false;
  const content = change?.content;
  if (content?.kind === "reaction" && change?.senderId === viewerId && content.emoji === summary.emoji) {
    return content.on;
  }
  if (summary.userIds.includes(viewerId)) return true;
  // The list is complete: not listed means not mine. Otherwise keep what we knew.
  if (summary.userIds.length >= summary.count) return false;
  return previous?.reactions.find((r) => r.emoji === summary.emoji)?.mine ?? false;
}

/** A reply's quote follows its original: edited text, or gone once the original is deleted. */
export function withQuoteOf(reply: TMessage, original: TMessage): TMessage | null {
  if (reply.reply?.id !== original.id) return null;
  const text =
    original.content.kind === "text"
      ? [...original.content.text].slice(0, REPLY_PREVIEW_LENGTH).join("")
      : null;
  if (reply.reply.text === text) return null;
  return { ...reply, reply: { ...reply.reply, text } };
}

/**
 * What an unconfirmed change of ours makes a message look like until the server places it (shown at
 * once, offline too). Confirmed state that is already newer is left alone: it includes the change.
 */
export function withPendingChange(
  message: { content: TTimelineContent; state?: TMessageState },
  change: TChangeContent,
  viewerId: string,
): { content: TTimelineContent; state: TMessageState } {
  const state: TMessageState = message.state ?? { version: 0, editedAt: null, reactions: [] };
  if (message.content.kind === "deleted") return { content: message.content, state };
  switch (change.kind) {
    case "delete":
      return { content: { kind: "deleted" }, state: { ...state, reactions: [] } };
    case "edit":
      if (message.content.kind !== "text" || change.text === undefined)
        return { content: message.content, state };
      return {
        content: { ...message.content, text: change.text },
        state: { ...state, editedAt: state.editedAt ?? Date.now() },
      };
    case "reaction":
      return {
        content: message.content,
        state: { ...state, reactions: toggled(state.reactions, change, viewerId) },
      };
  }
}

function toggled(
  reactions: TReactionSummary[],
  change: Extract<TChangeContent, { kind: "reaction" }>,
  viewerId: string,
): TReactionSummary[] {
  const existing = reactions.find((r) => r.emoji === change.emoji);
  const isMineNow = existing?.mine === true || (existing?.userIds.includes(viewerId) ?? false);
  if (change.on === isMineNow) return reactions;
  if (!existing) return [...reactions, { emoji: change.emoji, count: 1, userIds: [viewerId], mine: true }];
  const count = existing.count + (change.on ? 1 : -1);
  const userIds = change.on
    ? [...existing.userIds, viewerId]
    : existing.userIds.filter((id) => id !== viewerId);
  const updated = { ...existing, count, userIds, mine: change.on };
  return count > 0
    ? reactions.map((r) => (r === existing ? updated : r))
    : reactions.filter((r) => r !== existing);
}
