import { listNewestUserDialogs, searchDialogMessages } from "@parley/db/queries";
import { ERROR_REASON, messageSearchWords, type TMessage } from "@parley/protocol";
import type { Actor } from "../actor";
import { requireMember } from "../dialog/access";
import { AppError } from "../errors";
import type { LimitDeps } from "../limits/rate-limit";
import { enforceMessageSearchRateLimit } from "../limits/rate-limit";
import { toWireMessage } from "../message/wire";
import type { CoreServices } from "../services";

/**
 * A search across one's dialogs covers the newest this many joined (the user's shard, one range
 * read), each searched on its own shard: an explicit, bounded fan-out, never every dialog one was
 * ever in. Older dialogs are searched one at a time (in-dialog search).
 */
export const MESSAGE_SEARCH_DIALOGS = 100;

export type MessageSearchPage = {
  messages: TMessage[];
  /** Pass back as `beforeMsgId` for older results; null when there are none. */
  nextCursor: string | null;
  /** How many dialogs were searched (all of the caller's, unless it has more than the fan-out). */
  dialogsSearched: number;
};

/** `+word*` per word: every word must occur, each as a prefix. The words carry no operators. */
function toBooleanQuery(words: readonly string[]): string {
  return words.map((word) => `+${word}*`).join(" ");
}

/**
 * Messages whose current text contains every word of the query (as word prefixes), newest first.
 * With `dialogId`: that dialog only (NOT_FOUND unless the caller is a member). Without: the caller's
 * newest MESSAGE_SEARCH_DIALOGS dialogs. The statement itself joins the caller's member row, so only
 * members find anything and only what came after they joined; deleted messages and the rows that
 * carry edits never match (searchDialogMessages).
 */
export async function searchMessages(
  deps: LimitDeps & Pick<CoreServices, "db">,
  actor: Actor,
  input: { query: string; dialogId: string | null; beforeMsgId: string | null; limit: number },
): Promise<MessageSearchPage> {
  const words = messageSearchWords(input.query);
  if (words.length === 0) {
    throw new AppError("BAD_REQUEST", "type at least one word of 3 letters or digits", {
      reason: ERROR_REASON.SEARCH_QUERY_TOO_SHORT,
    });
  }
  await enforceMessageSearchRateLimit(deps, actor);
  let dialogIds: string[];
  if (input.dialogId !== null) {
    await requireMember(deps.db, input.dialogId, actor.userId);
    dialogIds = [input.dialogId];
  } else {
    const entries = await listNewestUserDialogs(deps.db, actor.userId, MESSAGE_SEARCH_DIALOGS);
    dialogIds = entries.map((entry) => entry.dialogId);
  }
  const hits = await searchDialogMessages(deps.db, {
    userId: actor.userId,
    dialogIds,
    booleanQuery: toBooleanQuery(words),
    beforeMsgId: input.beforeMsgId,
    limit: input.limit + 1,
  });
  const page = hits.slice(0, input.limit);
  return {
    messages: page.map(toWireMessage),
    nextCursor: hits.length > input.limit ? (page.at(-1)?.id ?? null) : null,
    dialogsSearched: dialogIds.length,
  };
}
