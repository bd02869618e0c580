import { searchMessages, searchPeople } from "@parley/core/search";
import { SEARCH_QUERY_MAX_LENGTH, ZId, ZMessage } from "@parley/protocol";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import { ZDbId } from "./messaging-inputs";

type ActorCtx = { user: { id: string }; client: { id: string } };
const actorOf = (ctx: ActorCtx) => ({ userId: ctx.user.id, clientId: ctx.client.id });

export const ZPeopleSearchInput = z.object({ query: z.string().max(64) });
export const ZPersonHit = z.object({
  id: ZId,
  handle: z.string(),
  displayName: z.string(),
  isContact: z.boolean(),
});

export const ZMessageSearchInput = z.object({
  query: z.string().max(SEARCH_QUERY_MAX_LENGTH),
  /** One dialog (members only); absent: the caller's newest dialogs. */
  dialogId: ZDbId.nullish(),
  /** A previous page's nextCursor. */
  beforeMsgId: ZDbId.nullish(),
  limit: z.number().int().min(1).max(50).default(20),
});
export const ZMessageSearchPage = z.object({
  messages: z.array(ZMessage),
  nextCursor: ZId.nullable(),
  dialogsSearched: z.number().int().min(0),
});

export const searchRouter = createTRPCRouter({
  /** People by handle or name prefix (3+ characters, at most 10, no paging; budgeted). */
  people: protectedProcedure
    .input(ZPeopleSearchInput)
    .output(z.array(ZPersonHit))
    .query(({ ctx, input }) => searchPeople(ctx.services, actorOf(ctx), input.query)),

  /** Messages in one dialog or across the caller's newest dialogs, newest first (budgeted). */
  messages: protectedProcedure
    .input(ZMessageSearchInput)
    .output(ZMessageSearchPage)
    .query(({ ctx, input }) =>
      searchMessages(ctx.services, actorOf(ctx), {
        query: input.query,
        dialogId: input.dialogId ?? null,
        beforeMsgId: input.beforeMsgId ?? null,
        limit: input.limit,
      }),
    ),
});
