import {
  FATAL_CLOSE_CODES,
  FRAME_ERROR_CODES,
  REALTIME_TOKEN_QUERY_PARAM,
  type TClientFrame,
  type TServerFrame,
  unverifiedTokenDialogIds,
  ZServerFrame,
} from "@parley/protocol";
import type { RealtimeToken } from "./api";
import { backoffDelay } from "./backoff";

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "stopped";

export type ConnectionOptions = {
  /** One gateway URL (behind a load balancer) or several: a failed connect moves to the next. */
  url: string | readonly string[];
  getToken: () => Promise<RealtimeToken>;
  onFrame: (frame: TServerFrame) => void;
  /** Called once the gateway's subscription is live (hello): the moment to catch up. */
  onOpen: (hello: Extract<TServerFrame, { type: "hello" }>) => void;
  onState: (state: ConnectionState, detail: { code?: number; reason?: string; attempt: number }) => void;
  /** For Node < 22 or tests: any WHATWG-compatible WebSocket. */
  WebSocketImpl?: typeof WebSocket;
  backoff?: { baseMs: number; maxMs: number };
  /** Send a fresh token this long before the current one expires. */
  refreshLeadMs?: number;
};

/**
 * One realtime socket with its lifecycle: token → connect → hello → heartbeats and in-band token
 * refresh → on close, backoff with jitter and reconnect (unless the close code says it cannot help).
 */
export class RealtimeConnection {
  state: ConnectionState = "idle";
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** In-band refreshes run one after another: each token sent is newer than the one before. */
  private refreshChain: Promise<boolean> = Promise.resolve(true);
  /** The refresh in flight waits for the gateway's answer (auth.ok → true; refusal or close → false). */
  private authWaiter: ((accepted: boolean) => void) | null = null;
  private lastRecvAt = 0;
  /** Big dialogs the gateway subscribed for this socket: those of the last token it accepted. */
  private heardDialogs: ReadonlySet<string> = new Set();
  /** The accepted token could not list all of the user's big groups (RealtimeToken.unlistedBigDialogs). */
  private missesBigDialogs = false;
  private readonly Impl: typeof WebSocket;
  private readonly urls: readonly string[];
  private urlIndex = 0;

  constructor(private readonly options: ConnectionOptions) {
    // Not a bare `WebSocket`: Node 20 has no global one, and that would be a ReferenceError here.
    const Impl = options.WebSocketImpl ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (!Impl) {
      throw new Error(
        "@parley/client: this runtime has no global WebSocket (Node < 22): pass WebSocketImpl, e.g. the ws package",
      );
    }
    this.Impl = Impl;
    this.urls = typeof options.url === "string" ? [options.url] : options.url;
    if (this.urls.length === 0) throw new Error("no realtime url");
  }

  start(): void {
    if (this.state !== "idle" && this.state !== "stopped") return;
    this.setState("connecting", {});
    void this.connect();
  }

  stop(): void {
    this.setState("stopped", {});
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    ws?.close(CLOSE_NORMAL, "client stopped");
  }

  /** Drops the socket as if the network failed (tests, and the "heard nothing" watchdog). */
  drop(): void {
    this.ws?.close(CLOSE_CLIENT_DROP, "client drop");
  }

  send(frame: TClientFrame): boolean {
    if (!this.ws || this.ws.readyState !== this.Impl.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Whether some big group of the user reaches this socket by no push (too many for one token). */
  get hasUnlistedBigDialogs(): boolean {
    return this.state === "open" && this.missesBigDialogs;
  }

  /** Whether this socket already hears the big dialog (the token the gateway accepted lists it). */
  hearsBigDialog(dialogId: string): boolean {
    return this.state === "open" && this.heardDialogs.has(dialogId);
  }

  /**
   * Fetches a fresh token and sends it in-band now. Resolves true once the gateway answers auth.ok —
   * it has then applied the token, e.g. subscribed the big dialogs it lists — and false when there
   * is no open socket, the token fetch fails, or the gateway refuses it or does not answer in time.
   */
  refreshToken(): Promise<boolean> {
    const run = this.refreshChain.then(() => this.sendFreshToken());
    this.refreshChain = run;
    return run;
  }

  private async sendFreshToken(): Promise<boolean> {
    const ws = this.ws;
    if (!ws || this.state !== "open") return false;
    let token: RealtimeToken;
    try {
      token = await this.options.getToken();
    } catch {
      // The gateway closes with CLOSE_TOKEN_EXPIRED; reconnect fetches a token again.
      return false;
    }
    if (this.ws !== ws) return false;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), AUTH_ANSWER_TIMEOUT_MS);
      const settle = (accepted: boolean) => {
        clearTimeout(timer);
        if (this.authWaiter === settle) this.authWaiter = null;
        if (accepted && this.ws === ws) {
          this.heardDialogs = new Set(unverifiedTokenDialogIds(token.token));
          this.missesBigDialogs = token.unlistedBigDialogs === true;
        }
        resolve(accepted);
      };
      this.authWaiter = settle;
      if (!this.send({ type: "auth", token: token.token })) settle(false);
    });
  }

  private settleAuth(accepted: boolean): void {
    this.authWaiter?.(accepted);
  }

  private async connect(): Promise<void> {
    if (this.isStopped()) return;
    let token: RealtimeToken;
    try {
      token = await this.options.getToken();
    } catch (error) {
      this.scheduleReconnect(undefined, `token: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.isStopped()) return;
    const url = this.urls[this.urlIndex % this.urls.length] ?? "";
    const separator = url.includes("?") ? "&" : "?";
    const ws = new this.Impl(
      `${url}${separator}${REALTIME_TOKEN_QUERY_PARAM}=${encodeURIComponent(token.token)}`,
    );
    this.ws = ws;
    const dialogsOfThisToken = unverifiedTokenDialogIds(token.token);
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.lastRecvAt = Date.now();
      const parsed = ZServerFrame.safeParse(safeJson(String(event.data)));
      if (!parsed.success) return;
      const frame = parsed.data;
      if (frame.type === "hello") {
        this.attempt = 0;
        this.heardDialogs = new Set(dialogsOfThisToken);
        this.missesBigDialogs = token.unlistedBigDialogs === true;
        this.setState("open", {});
        this.startHeartbeat(frame.heartbeatMs);
        this.scheduleRefresh(frame.tokenExpiresAt);
        this.options.onOpen(frame);
        return;
      }
      if (frame.type === "ping") {
        this.send({ type: "pong", t: frame.t });
        return;
      }
      if (frame.type === "auth.ok") {
        this.scheduleRefresh(frame.tokenExpiresAt);
        this.settleAuth(true);
        return;
      }
      // An in-band token the gateway refused (expired, or a frame it could not take) is no answer to wait for.
      if (
        frame.type === "error" &&
        (frame.code === FRAME_ERROR_CODES.tokenInvalid || frame.code === FRAME_ERROR_CODES.badFrame)
      ) {
        this.settleAuth(false);
      }
      this.options.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.settleAuth(false);
      this.clearTimers();
      if (this.isStopped()) return;
      // Abnormal ends and going-away mean this gateway is gone: try the next one first.
      if (GATEWAY_GONE_CODES.has(event.code)) this.urlIndex++;
      if (FATAL_CLOSE_CODES.has(event.code)) {
        this.setState("stopped", { code: event.code, reason: event.reason });
        return;
      }
      // Every other code is worth a retry with a fresh token: unauthorized/expired fetch a new one,
      // going-away/slow-consumer/abnormal resume and catch up from the store.
      this.scheduleReconnect(event.code, event.reason);
    };
  }

  private scheduleReconnect(code: number | undefined, reason: string): void {
    if (this.isStopped()) return;
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? RECONNECT_BACKOFF);
    this.setState("reconnecting", { code, reason });
    this.timers.push(setTimeout(() => void this.connect(), delay));
  }

  private startHeartbeat(heartbeatMs: number): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      // A socket that heard nothing (not even the gateway's pings) for 2.5 beats is dead.
      if (Date.now() - this.lastRecvAt > heartbeatMs * SILENT_BEATS_DEAD) {
        this.drop();
        return;
      }
      this.send({ type: "ping", t: Date.now() });
    }, heartbeatMs);
  }

  private scheduleRefresh(expiresAt: number): void {
    const lead = this.options.refreshLeadMs ?? DEFAULT_REFRESH_LEAD_MS;
    const delay = Math.max(MIN_REFRESH_DELAY_MS, expiresAt - Date.now() - lead);
    const ws = this.ws;
    // One pending refresh per socket: each auth.ok reschedules it.
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.ws === ws) void this.refreshToken();
    }, delay);
  }

  /** A method, not an inline compare: the state changes across awaits. */
  private isStopped(): boolean {
    return this.state === "stopped";
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private setState(state: ConnectionState, detail: { code?: number; reason?: string }): void {
    this.state = state;
    this.options.onState(state, { ...detail, attempt: this.attempt });
  }
}

/** A gateway that neither accepts nor refuses an in-band token this long is treated as refusing. */
const AUTH_ANSWER_TIMEOUT_MS = 10_000;
const CLOSE_NORMAL = 1000;
/** Our own close code for a simulated network cut (dropConnection). */
const CLOSE_CLIENT_DROP = 4999;
/** Going away (1001), abnormal (1006), server error (1011): that gateway is gone, try the next. */
const GATEWAY_GONE_CODES = new Set([1001, 1006, 1011]);
const RECONNECT_BACKOFF = { baseMs: 200, maxMs: 15_000 };
/** A socket that heard nothing (not even the gateway's pings) for this many beats is dead. */
const SILENT_BEATS_DEAD = 2.5;
/** A fresh realtime token is sent this long before the current one expires (by default). */
const DEFAULT_REFRESH_LEAD_MS = 15_000;
/** Never refresh sooner than this after an auth.ok (a token with a very short life must not spin). */
const MIN_REFRESH_DELAY_MS = 1_000;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
