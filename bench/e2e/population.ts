/**
 * The bench's people: N users signed up in token mode (one client each), 1:1 dialogs between
 * neighbours (users 2i and 2i+1) and groups of consecutive users. Everything goes through the API
 * over HTTP, as real clients would do it.
 */
import { z } from "zod";
import { CallError, type TrpcHttp } from "./trpc-http";

const PASSWORD = "correct horse battery staple";
/** Refresh an access token this long before it expires. */
const REFRESH_MARGIN_MS = 60_000;

export type BenchUser = {
  index: number;
  userId: string;
  clientId: string;
  session: { accessToken: string; refreshToken: string; expiresAt: number };
  refreshing: Promise<void> | null;
};

export type Dialog = { id: string; members: BenchUser[] };

const ZSignUp = z.object({
  userId: z.string(),
  clientId: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresAt: z.number(),
});
const ZTokenPair = z.object({ accessToken: z.string(), refreshToken: z.string(), expiresAt: z.number() });
const ZDialogView = z.object({ id: z.string() });

/** Runs `work` over `items`, at most `limit` at once, results in input order. */
export async function mapConcurrent<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
    }),
  );
  return results;
}

/** Retries what the API calls retryable (busy argon2 slots, rate limits), with backoff. */
export async function withRetries<T>(what: string, run: () => Promise<T>, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof CallError) || !error.retryable || attempt >= attempts) {
        throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await Bun.sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

/** The user's access token, rotated through auth.refresh when it is about to expire (one refresh at a time). */
export async function bearer(http: TrpcHttp, user: BenchUser): Promise<string> {
  if (user.session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return user.session.accessToken;
  user.refreshing ??= withRetries("auth.refresh", () =>
    http.mutation("auth.refresh", { refreshToken: user.session.refreshToken }, ZTokenPair),
  )
    .then((pair) => {
      user.session = pair;
    })
    .finally(() => {
      user.refreshing = null;
    });
  await user.refreshing;
  return user.session.accessToken;
}

export async function signUpUsers(http: TrpcHttp, count: number, tag: string): Promise<BenchUser[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  // Sign-up is argon2-bound on the server (a few slots per process): more at once only queues there.
  return mapConcurrent(indexes, 8, async (index) => {
    const handle = `e2e${tag}${index}`;
    const result = await withRetries(`auth.signUp ${handle}`, () =>
      http.mutation(
        "auth.signUp",
        { handle, displayName: `E2E ${index}`, password: PASSWORD, mode: "token", clientName: "e2e bench" },
        ZSignUp,
      ),
    );
    const { userId, clientId, ...session } = result;
    return { index, userId, clientId, session, refreshing: null };
  });
}

/** Users 2i and 2i+1 share a 1:1 dialog (opened by 2i). */
export async function openPairs(http: TrpcHttp, users: BenchUser[]): Promise<Dialog[]> {
  const pairs: [BenchUser, BenchUser][] = [];
  for (let i = 0; i + 1 < users.length; i += 2)
    pairs.push([users[i] as BenchUser, users[i + 1] as BenchUser]);
  return mapConcurrent(pairs, 16, async ([a, b]) => {
    const view = await withRetries("dialog.openDirect", async () =>
      http.mutation("dialog.openDirect", { userId: b.userId }, ZDialogView, await bearer(http, a)),
    );
    return { id: view.id, members: [a, b] };
  });
}

/** Consecutive users in groups of `size` (a remainder smaller than a group is left out). */
export async function createGroups(http: TrpcHttp, users: BenchUser[], size: number): Promise<Dialog[]> {
  const groups: BenchUser[][] = [];
  for (let start = 0; start + size <= users.length; start += size)
    groups.push(users.slice(start, start + size));
  return mapConcurrent(groups, 2, async (members) => {
    const [owner, ...rest] = members as [BenchUser, ...BenchUser[]];
    const view = await withRetries("dialog.createGroup", async () =>
      http.mutation(
        "dialog.createGroup",
        { title: `e2e group ${owner.index / size}`, memberIds: rest.map((user) => user.userId) },
        ZDialogView,
        await bearer(http, owner),
      ),
    );
    return { id: view.id, members };
  });
}
