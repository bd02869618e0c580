import {
  type ApiError,
  createParleyTrpcClient,
  type FetchFn,
  isRefusal,
  TokenRefresher,
  toApiError,
} from "@parley/client";
import { ERROR_REASON, type ErrorReason, errorReasonOf } from "@parley/protocol";
import { z } from "zod";

/**
 * Every browser tab is a client of its own (docs/web.md). The session cookie is the *browser's*
 * credential: a tab uses it once, to call `auth.openTab`, and gets its own client id and token pair.
 * The tab then calls the API (tRPC and the sync engine) with `Authorization: Bearer` and refreshes
 * that token itself. The pair lives in sessionStorage: a reload of this tab keeps its client, other
 * tabs never see it.
 *
 * A duplicated tab (or a window opened by script) starts with a *copy* of sessionStorage. The copy
 * also carries the "live" mark the original set when it loaded (and clears only when it unloads), so
 * a page that finds the mark already set knows another page holds these tokens and opens its own tab.
 *
 * A tab client's refresh token lives only hours (TAB_REFRESH_TTL_HOURS) and slides with every
 * refresh, which an open tab does at least every 15 min (a timer, besides the calls it makes). When
 * the page goes away for good-or-maybe (`pagehide` not into the bfcache: a close, a reload or a hard
 * navigation look the same from here) it sends a beacon so the server lets the refresh token lapse
 * within two minutes; a page that comes back with the tokens (a reload) refreshes at once, which
 * renews them and keeps its client. A tab whose token lapsed anyway (a laptop asleep overnight) opens
 * a fresh client with the cookie instead of signing out.
 */

/** What sessionStorage holds for this tab (read back with zod: storage is anyone's to edit). */
const ZTabCredentials = z.object({
  userId: z.string(),
  clientId: z.string(),
  parentClientId: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Access-token expiry, ms since the epoch. */
  expiresAt: z.number(),
});
export type TabCredentials = z.infer<typeof ZTabCredentials>;

const STORAGE_KEY = "parley.tab";
const LIVE_KEY = "parley.tab.live";
// Refresh this long before the access token expires (the engine asks for a realtime token every
// ~50 s, so an active tab refreshes on its own well before a request could fail).
const REFRESH_MARGIN_MS = 60_000;
// Procedures that must never carry a (possibly stale) tab token.
const COOKIE_ONLY = /auth\.(signIn|signUp|openTab|refresh)/;
/** Where a closing page tells the server its refresh token may lapse (apps/web/src/app/api/auth/tab/close). */
export const TAB_CLOSE_PATH = "/api/auth/tab/close";
// The keep-alive looks this often; it refreshes only within REFRESH_MARGIN_MS of expiry (every ~14 min).
const KEEP_ALIVE_MS = 60_000;

export class TabSignedOutError extends Error {
  constructor(
    message = "this tab was signed out",
    /** The server's `details.reason` for the refusal; null when it named none. */
    readonly reason: ErrorReason | null = null,
  ) {
    super(message);
    this.name = "TabSignedOutError";
  }
}

/** Same-origin requests carry the browser's session cookie (opening a tab needs it). */
const sameOrigin: FetchFn = (input, init) => fetch(input, { ...init, credentials: "same-origin" });

/**
 * The cookie-only procedures (open a tab, rotate its refresh token), typed from the API's router.
 * Never with a bearer token: a stale one would be refused before the procedure runs.
 */
const cookieClient = createParleyTrpcClient("/api/trpc", sameOrigin, { batch: false }).trpc;

/** A refusal (UNAUTHORIZED, FORBIDDEN) as this tab being signed out, with the server's reason code. */
function toSignedOut(error: unknown): TabSignedOutError | ApiError {
  const apiError = toApiError(error);
  return isRefusal(apiError)
    ? new TabSignedOutError(apiError.message, errorReasonOf(apiError.details))
    : apiError;
}

/**
 * The server refused a refresh because the token lapsed (not revoked, not spent): the client died of
 * age. "Unknown" counts too: the worker's cleanup deletes token rows a week after they expire, so a tab
 * asleep that long finds none. Either way the browser cookie decides whether a fresh client opens.
 * Read from the reason code: the message is wording for people and may change.
 */
function isExpiry(error: TabSignedOutError): boolean {
  return (
    error.reason === ERROR_REASON.REFRESH_TOKEN_EXPIRED || error.reason === ERROR_REASON.REFRESH_TOKEN_UNKNOWN
  );
}

export type TabPageHooks = {
  /** `navigator.sendBeacon`: survives the page going away. */
  sendBeacon: (url: string, body: string) => boolean;
  /** Reloads the page (a tab whose client expired while it was open starts over with the cookie). */
  reload: () => void;
  setInterval: (run: () => void, ms: number) => unknown;
};

function requestPath(input: RequestInfo | URL): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.pathname;
  return input.url;
}

export class TabSession {
  private credentials: TabCredentials | null;
  private opening: Promise<TabCredentials> | null = null;
  /** The one refresh path (shared with every bearer client of @parley/client). */
  private readonly refresher: TokenRefresher<
    TabCredentials,
    Omit<TabCredentials, "userId" | "clientId" | "parentClientId">
  >;
  private readonly bearerFetch: FetchFn;
  private readonly signedOutListeners = new Set<() => void>();
  /** Adopted credentials: this page is a reload (or a restore) of a tab that had a client. */
  private readonly adopted: boolean;
  /** The refresh a reloaded page makes at once (attach); ensure() waits for it. */
  private resuming: Promise<void> | null = null;
  /** Set when that refresh was refused for good (revoked): ensure() reports the tab signed out. */
  private resumeRefused: TabSignedOutError | null = null;
  private onExpired: (() => void) | null = null;

  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem">,
    private readonly page: Pick<Window, "addEventListener"> = window,
  ) {
    this.credentials = this.adopt();
    this.adopted = this.credentials !== null;
    this.refresher = new TokenRefresher({
      current: () => this.credentials,
      rotate: (refreshToken) => cookieClient.auth.refresh.mutate({ refreshToken }),
      save: (before, next) => {
        const updated = { ...before, ...next };
        // A sign-out or a new tab client meanwhile wins over this answer.
        if (this.credentials === before) this.store(updated);
        return updated;
      },
      refreshMarginMs: REFRESH_MARGIN_MS,
      onRefused: (error) => this.refused(new TabSignedOutError(error.message, errorReasonOf(error.details))),
    });
    this.bearerFetch = this.refresher.wrapFetch(sameOrigin);
  }

  /**
   * The page-lifetime duties of the one live TabSession (tabSession() calls it): a reloaded tab
   * refreshes at once (renewing the token a close beacon may have shortened), a timer keeps the
   * token fresh while the page is open, and a page going away sends the close beacon.
   */
  attach(hooks: TabPageHooks): void {
    this.onExpired = hooks.reload;
    if (this.adopted) this.resuming = this.resume();
    hooks.setInterval(() => {
      void this.accessToken();
    }, KEEP_ALIVE_MS);
    this.page.addEventListener("pagehide", (event) => {
      // Into the bfcache: the page may come back as it is, so it is not going away.
      if (event.persisted) return;
      const credentials = this.credentials;
      if (!credentials) return;
      try {
        hooks.sendBeacon(TAB_CLOSE_PATH, JSON.stringify({ refreshToken: credentials.refreshToken }));
      } catch {
        // Best effort: the token lapses on its own within TAB_REFRESH_TTL_HOURS.
      }
    });
  }

  /** A reloaded page renews its tokens before anything uses them. Never rejects. */
  private async resume(): Promise<void> {
    try {
      await this.refresher.rotate();
    } catch (error) {
      const refusal = toSignedOut(error);
      if (!(refusal instanceof TabSignedOutError)) return; // offline: keep the client, refresh later
      this.drop();
      // Lapsed (closed long ago, or asleep): ensure() opens a fresh client with the cookie. Revoked
      // or spent: this tab was signed out, and must not come back as a new client by itself.
      if (!isExpiry(refusal)) this.resumeRefused = refusal;
    } finally {
      this.resuming = null;
    }
  }

  /** The stored pair, unless it was copied from a tab that is still open (a duplicate). */
  private adopt(): TabCredentials | null {
    const duplicate = this.storage.getItem(LIVE_KEY) !== null;
    this.storage.setItem(LIVE_KEY, String(Date.now()));
    this.page.addEventListener("pagehide", () => this.storage.removeItem(LIVE_KEY));
    this.page.addEventListener("pageshow", (event) => {
      if (event.persisted) this.storage.setItem(LIVE_KEY, String(Date.now()));
    });
    const raw = this.storage.getItem(STORAGE_KEY);
    if (duplicate) {
      // Those tokens belong to the tab this one was copied from; never use (or rotate) them here.
      this.storage.removeItem(STORAGE_KEY);
      return null;
    }
    try {
      const parsed = ZTabCredentials.safeParse(raw ? JSON.parse(raw) : null);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private store(next: TabCredentials | null): void {
    this.credentials = next;
    if (next) this.storage.setItem(STORAGE_KEY, JSON.stringify(next));
    else this.storage.removeItem(STORAGE_KEY);
  }

  current(): TabCredentials | null {
    return this.credentials;
  }

  /** This tab's client: the stored one, or a new one opened with the browser's cookie. */
  async ensure(): Promise<TabCredentials> {
    if (this.resuming) await this.resuming;
    const refused = this.resumeRefused;
    if (refused) {
      this.resumeRefused = null;
      throw refused;
    }
    if (this.credentials) return this.credentials;
    if (!this.opening) {
      this.opening = (async () => {
        // `{}`, not nothing: a mutation without input is a POST with an empty body, which the API's
        // JSON reader refuses (400 "Unexpected end of JSON input") and the tab never opens.
        const opened = await cookieClient.auth.openTab.mutate({}).catch((error: unknown) => {
          throw toSignedOut(error);
        });
        this.store(opened);
        return opened;
      })().finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  /** Forgets this tab's tokens (signed out, revoked, or another account signed in). */
  drop(): void {
    this.resumeRefused = null;
    this.store(null);
  }

  onSignedOut(listener: () => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  private signedOut(): void {
    if (!this.credentials) return;
    this.drop();
    for (const listener of this.signedOutListeners) listener();
  }

  /**
   * Rotates the refresh token (stored before use: the old one is spent; one rotation at a time).
   * Refused because it lapsed (the tab outlived its client, e.g. asleep past TAB_REFRESH_TTL_HOURS):
   * the page starts over with a fresh client. Refused otherwise (revoked, spent): the tab is signed out.
   */
  refresh(): Promise<TabCredentials> {
    return this.refresher.refresh().catch((error: unknown) => {
      throw toSignedOut(error);
    });
  }

  private refused(error: TabSignedOutError): void {
    if (!this.credentials) return;
    if (isExpiry(error) && this.onExpired) {
      this.drop();
      this.onExpired();
      return;
    }
    this.signedOut();
  }

  /** A valid access token, refreshed first when it is about to expire; null without a tab client. */
  accessToken(): Promise<string | null> {
    return this.refresher.accessToken();
  }

  /**
   * `fetch` for tRPC links and the sync engine: adds this tab's bearer token, and on a 401 refreshes
   * once and retries. A refresh refused (revoked, spent) signs the tab out.
   */
  fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (COOKIE_ONLY.test(requestPath(input))) return sameOrigin(input, init);
    return this.bearerFetch(input, init);
  };
}

let instance: TabSession | null = null;

/** The one TabSession of this page (browser only). */
export function tabSession(): TabSession {
  if (typeof window === "undefined") throw new Error("tabSession() is browser-only");
  if (!instance) {
    instance = new TabSession(window.sessionStorage);
    instance.attach({
      sendBeacon: (url, body) => navigator.sendBeacon(url, body),
      reload: () => window.location.reload(),
      setInterval: (run, ms) => window.setInterval(run, ms),
    });
  }
  return instance;
}
