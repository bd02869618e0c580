// Types only: erased at build time, so no server code reaches a browser or a mobile bundle
// (src/client-imports.test.ts holds every source of this package to that).
import type { AppRouter } from "@parley/api";
import { MAX_TRPC_BATCH_SIZE } from "@parley/protocol";
import {
  createTRPCClientProxy,
  createTRPCUntypedClient,
  httpBatchLink,
  httpLink,
  type TRPCClient,
  type TRPCUntypedClient,
} from "@trpc/client";
import { ApiError, type ChatApi, type DialogChange, toApiError } from "./api";
import { type FetchFn, TokenRefresher } from "./token-refresh";

/** The API's procedures, typed from its router: the contract lives in packages/api and nowhere else. */
export type ParleyTrpcClient = TRPCClient<AppRouter>;
/** The same client called by procedure path (tools that pick procedures at run time). */
export type ParleyUntypedClient = TRPCUntypedClient<AppRouter>;

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
  fetch?: FetchFn;
};

/** The most pages one catch-up reads (1,000 dialogs a page on the server): a bound, not a target. */
export const MAX_CHANGES_PAGES = 1_000;

/**
 * A typed client over one fetch; the server checks every answer against the procedure's output
 * schema. `batch: false` sends one request per call, at `<url>/<procedure>` (rare calls such as a
 * token refresh gain nothing from batching).
 */
export function createParleyTrpcClient(
  url: string,
  fetchImpl: FetchFn,
  { batch = true }: { batch?: boolean } = {},
): { trpc: ParleyTrpcClient; client: ParleyUntypedClient } {
  const link = batch
    ? httpBatchLink({ url, maxItems: MAX_TRPC_BATCH_SIZE, fetch: fetchImpl })
    : httpLink({ url, fetch: fetchImpl });
  const client = createTRPCUntypedClient<AppRouter>({ links: [link] });
  return { trpc: createTRPCClientProxy(client), client };
}

/** Every error a call can end with, as an ApiError (tRPC code name + the AppError's details). */
async function asApiCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toApiError(error);
  }
}

/**
 * Every page of dialog.changes, in order. Stops at a null cursor, at a cursor that does not move
 * (a server bug must not loop a client forever) and after MAX_CHANGES_PAGES pages.
 */
async function readAllChanges(
  readPage: (cursor: string | null) => Promise<{ dialogs: DialogChange[]; nextCursor: string | null }>,
): Promise<DialogChange[]> {
  const changes: DialogChange[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_CHANGES_PAGES; page++) {
    const { dialogs, nextCursor } = await readPage(cursor);
    changes.push(...dialogs);
    if (nextCursor === null || nextCursor === cursor) break;
    cursor = nextCursor;
  }
  return changes;
}

/**
 * ChatApi over tRPC/HTTP, typed from the API's router (a type-only import). In bearer mode an
 * access token refused with 401 is refreshed once (the refresh token rotates) and the call sent
 * again; without a session the `fetch` given carries the credentials (a browser tab's own).
 */
export function createTrpcChatApi(options: TrpcChatApiOptions): ChatApi & {
  trpc: ParleyTrpcClient;
  client: ParleyUntypedClient;
  session: () => ApiSession | undefined;
} {
  let session = options.session;
  const base: FetchFn = (url, init) =>
    (options.fetch ?? fetch)(url, { ...init, credentials: options.credentials });
  // Refresh without the (rejected) bearer header: the API refuses a bad bearer on every procedure.
  const { trpc: unauthenticated } = createParleyTrpcClient(options.url, base);
  const refresher = new TokenRefresher<ApiSession>({
    current: () => session ?? null,
    rotate: (refreshToken) => unauthenticated.auth.refresh.mutate({ refreshToken }),
    save: (_before, next) => {
      session = next;
      options.onSession?.(next);
      return next;
    },
  });
  const { trpc, client } = createParleyTrpcClient(
    options.url,
    options.session ? refresher.wrapFetch(base) : base,
  );

  return {
    trpc,
    client,
    session: () => session,
    realtimeToken: () => asApiCall(() => trpc.auth.realtimeToken.mutate()),
    send: (input) => asApiCall(() => trpc.message.send.mutate(input)),
    sync: (input) => asApiCall(() => trpc.dialog.sync.query(input)),
    history: (input) => asApiCall(() => trpc.dialog.history.query(input)),
    changes: () =>
      asApiCall(() =>
        readAllChanges((cursor) => trpc.dialog.changes.query(cursor === null ? undefined : { cursor })),
      ),
    markDelivered: async (input) => {
      await asApiCall(() => trpc.dialog.markDelivered.mutate(input));
    },
    markRead: async (input) => {
      await asApiCall(() => trpc.dialog.markRead.mutate(input));
    },
    typing: async (input) => {
      await asApiCall(() => trpc.dialog.typing.mutate(input));
    },
    presenceTicket: (input) => asApiCall(() => trpc.presence.ticket.mutate(input)),
    profiles: (input) => asApiCall(() => trpc.user.byIds.query(input)),
    groupInfo: (input) => asApiCall(() => trpc.dialog.get.query(input)),
  };
}

type SignUpInput = Omit<Parameters<ParleyTrpcClient["auth"]["signUp"]["mutate"]>[0], "mode">;
type SignInInput = Omit<Parameters<ParleyTrpcClient["auth"]["signIn"]["mutate"]>[0], "mode">;
type PasswordCall =
  | [kind: "signUp", input: SignUpInput, fetchImpl?: FetchFn]
  | [kind: "signIn", input: SignInInput, fetchImpl?: FetchFn];
export type SignedInClient = { session: ApiSession; userId: string; clientId: string };

/** Password sign-up / sign-in in token mode (bearer clients): every call creates a new client. */
export async function authenticateWithPassword(
  url: string,
  ...[kind, input, fetchImpl = fetch]: PasswordCall
): Promise<SignedInClient> {
  const { trpc } = createParleyTrpcClient(url, fetchImpl);
  const result = await asApiCall(() =>
    kind === "signUp"
      ? trpc.auth.signUp.mutate({ ...input, mode: "token" })
      : trpc.auth.signIn.mutate({ ...input, mode: "token" }),
  );
  if (result.mode !== "token") throw new ApiError("INTERNAL_SERVER_ERROR", "signed in without tokens");
  const { userId, clientId, accessToken, refreshToken, expiresAt } = result;
  return { session: { accessToken, refreshToken, expiresAt }, userId, clientId };
}
