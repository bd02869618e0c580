import { MAX_TRPC_BATCH_SIZE, ZMessage } from "@parley/protocol";
import { createTRPCUntypedClient, httpBatchLink } from "@trpc/client";
import { z } from "zod";
import { ApiError, type ChatApi, type DialogChange, type SyncPage, toApiError } from "./api";

type UntypedClient = ReturnType<typeof createTRPCUntypedClient>;

/** Bearer-mode credentials (mobile, tests, load generator). Browsers use cookies instead. */
export type ApiSession = { accessToken: string; refreshToken: string; expiresAt?: number };

export type TrpcChatApiOptions = {
  /** The tRPC endpoint, e.g. https://app.example/api/trpc. */
  url: string;
  session?: ApiSession;
  /** Called after a refresh rotated the tokens (persist them). */
  onSession?: (session: ApiSession) => void;
  /** Browsers: "include" sends the session cookie. */
  credentials?: RequestCredentials;
  fetch?: typeof fetch;
};

const ZPage = z.object({
  messages: z.array(ZMessage),
  lastSeq: z.number().int().optional(),
  hasMore: z.boolean().optional(),
});
const ZChanges = z.array(
  z.object({
    dialogId: z.string().optional(),
    id: z.string().optional(),
    lastSeq: z.number().int(),
    readSeq: z.number().int().optional(),
    deliveredSeq: z.number().int().optional(),
  }),
);
const ZSession = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresAt: z.number().optional(),
});

/** The most pages one catch-up reads (1,000 dialogs a page on the server): a bound, not a target. */
export const MAX_CHANGES_PAGES = 1_000;

/** Accepts `[...]` or `{ dialogs: [...] }` / `{ changes: [...] }` so the engine survives small API shape changes. */
function toChanges(raw: unknown): DialogChange[] {
  const list = Array.isArray(raw)
    ? raw
    : ((raw as { dialogs?: unknown; changes?: unknown } | null)?.dialogs ??
      (raw as { changes?: unknown } | null)?.changes ??
      []);
  return ZChanges.parse(list).flatMap((c) => {
    const dialogId = c.dialogId ?? c.id;
    return dialogId
      ? [{ dialogId, lastSeq: c.lastSeq, readSeq: c.readSeq, deliveredSeq: c.deliveredSeq }]
      : [];
  });
}

const ZNextCursor = z.object({ nextCursor: z.string().nullish() });
const ZPresenceTicket = z.object({ ticket: z.string(), expiresAt: z.number(), userIds: z.array(z.string()) });

/** The cursor of the next dialog.changes page, or null when this was the last (or an unpaged answer). */
function toNextCursor(raw: unknown): string | null {
  const parsed = ZNextCursor.safeParse(raw);
  return parsed.success ? (parsed.data.nextCursor ?? null) : null;
}

/**
 * Every page of dialog.changes, in order. Stops at a null cursor, at a cursor that does not move
 * (a server bug must not loop a client forever) and after MAX_CHANGES_PAGES pages.
 */
async function readAllChanges(
  readPage: (cursor: string | null) => Promise<unknown>,
): Promise<DialogChange[]> {
  const changes: DialogChange[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_CHANGES_PAGES; page++) {
    const raw = await readPage(cursor);
    changes.push(...toChanges(raw));
    const next = toNextCursor(raw);
    if (next === null || next === cursor) break;
    cursor = next;
  }
  return changes;
}

function toPage(raw: unknown): SyncPage {
  const page = ZPage.parse(raw);
  const last = page.messages.at(-1)?.seq ?? 0;
  return { messages: page.messages, lastSeq: page.lastSeq ?? last, hasMore: page.hasMore ?? false };
}

/**
 * ChatApi over tRPC/HTTP. Untyped on purpose: `@parley/client` must not pull the server's router
 * types into browsers, and every response is validated with zod instead. An UNAUTHORIZED answer
 * triggers one access-token refresh (rotated refresh token) and a retry.
 */
export function createTrpcChatApi(options: TrpcChatApiOptions): ChatApi & {
  client: UntypedClient;
  session: () => ApiSession | undefined;
} {
  let session = options.session;
  let refreshing: Promise<void> | null = null;
  const client = createTRPCUntypedClient({
    links: [
      httpBatchLink({
        url: options.url,
        maxItems: MAX_TRPC_BATCH_SIZE,
        headers: () => (session ? { authorization: `Bearer ${session.accessToken}` } : {}),
        fetch: (url, init) =>
          (options.fetch ?? fetch)(url, { ...(init as RequestInit), credentials: options.credentials }),
      }),
    ],
  });

  // Refresh without the (rejected) bearer header: the API refuses a bad bearer on every procedure.
  const refreshClient = createTRPCUntypedClient({
    links: [
      httpBatchLink({
        url: options.url,
        maxItems: MAX_TRPC_BATCH_SIZE,
        fetch: (url, init) =>
          (options.fetch ?? fetch)(url, { ...(init as RequestInit), credentials: options.credentials }),
      }),
    ],
  });

  const refresh = () => {
    if (!refreshing) {
      refreshing = (async () => {
        if (!session) throw new ApiError("UNAUTHORIZED", "no session to refresh");
        const next = ZSession.parse(
          await refreshClient.mutation("auth.refresh", { refreshToken: session.refreshToken }),
        );
        session = next;
        options.onSession?.(next);
      })().finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  };

  const call = async (kind: "query" | "mutation", path: string, input?: unknown): Promise<unknown> => {
    try {
      return await (kind === "query" ? client.query(path, input) : client.mutation(path, input));
    } catch (raw) {
      const error = toApiError(raw);
      if (error.code !== "UNAUTHORIZED" || !session) throw error;
      await refresh();
      try {
        return await (kind === "query" ? client.query(path, input) : client.mutation(path, input));
      } catch (again) {
        throw toApiError(again);
      }
    }
  };

  return {
    client,
    session: () => session,
    async realtimeToken() {
      const raw = (await call("mutation", "auth.realtimeToken")) as {
        token?: unknown;
        expiresAt?: unknown;
        unlistedBigDialogs?: unknown;
      };
      if (typeof raw?.token !== "string") throw new ApiError("INTERNAL_SERVER_ERROR", "no realtime token");
      const expiresAt = typeof raw.expiresAt === "number" ? raw.expiresAt : Date.now() + 60_000;
      return { token: raw.token, expiresAt, unlistedBigDialogs: raw.unlistedBigDialogs === true };
    },
    async send(input) {
      const ack = (await call("mutation", "message.send", input)) as {
        msgId: string;
        seq: number;
        createdAt: number;
      };
      return { msgId: String(ack.msgId), seq: ack.seq, createdAt: ack.createdAt };
    },
    async sync(input) {
      return toPage(await call("query", "dialog.sync", input));
    },
    async history(input) {
      const { beforeSeq, ...rest } = input;
      return toPage(
        await call("query", "dialog.history", beforeSeq === null ? rest : { ...rest, beforeSeq }),
      );
    },
    async changes() {
      return readAllChanges((cursor) =>
        call("query", "dialog.changes", cursor === null ? undefined : { cursor }),
      );
    },
    async markDelivered(input) {
      await call("mutation", "dialog.markDelivered", input);
    },
    async markRead(input) {
      await call("mutation", "dialog.markRead", input);
    },
    async typing(input) {
      await call("mutation", "dialog.typing", input);
    },
    async presenceTicket(input) {
      return ZPresenceTicket.parse(await call("mutation", "presence.ticket", input));
    },
  };
}

const ZSignedIn = ZSession.extend({ userId: z.string(), clientId: z.string() });
export type SignedInClient = { session: ApiSession; userId: string; clientId: string };

/** Password sign-up / sign-in in token mode (bearer clients): every call creates a new client. */
export async function authenticateWithPassword(
  url: string,
  kind: "signUp" | "signIn",
  input: Record<string, unknown>,
  fetchImpl?: typeof fetch,
): Promise<SignedInClient> {
  const client = createTRPCUntypedClient({
    links: [httpBatchLink({ url, fetch: fetchImpl })],
  });
  try {
    const result = ZSignedIn.parse(await client.mutation(`auth.${kind}`, { ...input, mode: "token" }));
    const { userId, clientId, ...session } = result;
    return { session, userId, clientId };
  } catch (error) {
    throw toApiError(error);
  }
}
