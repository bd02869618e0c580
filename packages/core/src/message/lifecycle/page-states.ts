import type { DbOrTx } from "@parley/db";
import { getMessageStates, listOwnReactions } from "@parley/db/queries";
import type { TMessage } from "@parley/protocol";
import { hasState, shownContentOf, toChangeTarget, toReplyPreview, toWireState } from "./wire-state";

/**
 * A sync or history page with the life cycle folded in, on the dialog's shard: each message's
 * current state (edited, reactions with the reader's own, or its tombstone), each change row's
 * target as it is now, and each reply's quote. One read of the rows' states (page ids, targets and
 * quoted originals together) and, when anything on the page has reactions, one of the reader's own.
 * Messages from before the reader joined stay invisible: no target or quote of them is added.
 */
export async function withMessageStates(
  db: DbOrTx,
  reader: { dialogId: string; userId: string; joinedSeq: number },
  page: TMessage[],
): Promise<TMessage[]> {
  if (page.length === 0) return page;
  const ids = new Set<string>();
  for (const message of page) {
    ids.add(message.id);
    const related = relatedIdOf(message);
    if (related) ids.add(related);
  }
  const states = new Map(
    (await getMessageStates(db, reader.dialogId, [...ids])).map((row) => [row.id, row] as const),
  );
  const reacted = [...states.values()].filter((row) => row.reactions.length > 0).map((row) => row.id);
  const mineByMessage = new Map<string, Set<string>>();
  for (const own of await listOwnReactions(db, reader.dialogId, reader.userId, reacted)) {
    const mine = mineByMessage.get(own.messageId) ?? new Set<string>();
    mine.add(own.emoji);
    mineByMessage.set(own.messageId, mine);
  }
  const visible = (id: string) => {
    const row = states.get(id);
    return row && row.seq !== null && row.seq > reader.joinedSeq ? row : undefined;
  };
  const mineOf = (id: string) => mineByMessage.get(id) ?? new Set<string>();
  return page.map((message) => {
    const own = states.get(message.id);
    const content = message.content;
    if (content.kind === "edit" || content.kind === "delete" || content.kind === "reaction") {
      const target = visible(content.target);
      const wireTarget = target && toChangeTarget(target, mineOf(target.id));
      return wireTarget ? { ...message, target: wireTarget } : message;
    }
    let shown: TMessage = message;
    if (own && hasState(own)) {
      shown = { ...shown, content: shownContentOf(own), state: toWireState(own, mineOf(own.id)) };
    }
    const replyTo = "replyTo" in content ? content.replyTo : undefined;
    const original = replyTo ? visible(replyTo) : undefined;
    const reply = original && toReplyPreview(original);
    return reply ? { ...shown, reply } : shown;
  });
}

function relatedIdOf(message: TMessage): string | undefined {
  const content = message.content;
  if ("target" in content) return content.target;
  if ("replyTo" in content) return content.replyTo;
  return undefined;
}
