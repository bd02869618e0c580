import { ApiError, toApiError } from "./api";

/** An access token and the refresh token that renews it; `expiresAt` (ms since the epoch) when known. */
export type TokenPair = { accessToken: string; refreshToken: string; expiresAt?: number };

/** The fetch signature tRPC links and the engine call (no Bun-only extras such as `preconnect`). */
export type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export type TokenRefresherOptions<T extends TokenPair, R extends TokenPair = TokenPair> = {
  /** The pair in use now; null without one (never signed in, or signed out). */
  current: () => T | null;
  /** Calls auth.refresh. It must not send the (rejected) bearer header: the API refuses a bad one. */
  rotate: (refreshToken: string) => Promise<R>;
  /**
   * Keeps the rotated pair before anything uses it (the old refresh token is spent) and returns the
   * pair now in use: a sign-out or a new client meanwhile may win over this answer.
   */
  save: (before: T, next: R) => T;
  /** Refresh this long before the access token expires; 0 (the default): only after a 401. */
  refreshMarginMs?: number;
  /** The server refused to refresh (revoked, spent, lapsed): the owner decides what follows. */
  onRefused?: (error: ApiError) => void;
};

/**
 * A refresh the server answered with no: retrying cannot change it. Anything else (offline, a 5xx,
 * a rate limit) leaves the pair as it was and may pass.
 */
export function isRefusal(error: ApiError): boolean {
  return error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN";
}

/**
 * The one way a bearer client renews its access token: bearer-mode API clients (mobile, tests, load
 * generators) and browser tabs alike. One rotation at a time per pair: a refresh token is spent once
 * used, so two concurrent rotations would make the server see a reuse.
 */
export class TokenRefresher<T extends TokenPair, R extends TokenPair = TokenPair> {
  private rotating: Promise<T> | null = null;

  constructor(private readonly options: TokenRefresherOptions<T, R>) {}

  /** Rotates the refresh token once, however many callers ask meanwhile. Rejects with an ApiError. */
  rotate(): Promise<T> {
    if (!this.rotating) {
      this.rotating = (async () => {
        const before = this.options.current();
        if (!before) throw new ApiError("UNAUTHORIZED", "no session to refresh");
        try {
          return this.options.save(before, await this.options.rotate(before.refreshToken));
        } catch (error) {
          throw toApiError(error);
        }
      })().finally(() => {
        this.rotating = null;
      });
    }
    return this.rotating;
  }

  /** rotate(); a refusal is reported to onRefused before the promise rejects. */
  async refresh(): Promise<T> {
    try {
      return await this.rotate();
    } catch (error) {
      const apiError = toApiError(error);
      if (isRefusal(apiError)) this.options.onRefused?.(apiError);
      throw apiError;
    }
  }

  /** The access token to send, refreshed first near its expiry; null without a pair or once refused. */
  async accessToken(): Promise<string | null> {
    const pair = this.options.current();
    if (!pair) return null;
    const margin = this.options.refreshMarginMs ?? 0;
    if (margin <= 0 || pair.expiresAt === undefined || pair.expiresAt - Date.now() > margin) {
      return pair.accessToken;
    }
    try {
      return (await this.refresh()).accessToken;
    } catch (error) {
      if (isRefusal(toApiError(error))) return null;
      // Offline or a server hiccup: try with what we have; a 401 retries the refresh.
      return pair.accessToken;
    }
  }

  /**
   * `fetch` with this pair's bearer token. Answered 401, it refreshes once and sends again. A refused
   * refresh hands back the 401 (onRefused has been told); a refresh that failed otherwise fails the
   * request as a network error would, so callers retry it rather than give up on an UNAUTHORIZED.
   */
  wrapFetch(base: FetchFn): FetchFn {
    return async (input, init) => {
      const send = (token: string | null) => {
        const headers = new Headers(init?.headers);
        if (token) headers.set("authorization", `Bearer ${token}`);
        else headers.delete("authorization");
        return base(input, { ...init, headers });
      };
      const token = await this.accessToken();
      const response = await send(token);
      if (response.status !== 401 || !token) return response;
      let next: T;
      try {
        next = await this.refresh();
      } catch (error) {
        if (isRefusal(toApiError(error))) return response;
        throw error;
      }
      return send(next.accessToken);
    };
  }
}
