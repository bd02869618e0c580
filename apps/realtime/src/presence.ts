import { headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import {
  PRESENCE_PROBE_HEADER,
  PRESENCE_SEEN_SUBJECT,
  presenceSubject,
  type TPresenceEvent,
  type TPresenceSeen,
  userSubject,
} from "@parley/protocol";
import { safeJson } from "./big-dialogs";
import type { GatewayEnv } from "./env";
import type { Fanout } from "./fanout";
import type { Metrics } from "./metrics";
import { wrapEventPayload } from "./protocol";
import type { Socket } from "./socket";
import { type Bucket, isFull, refill } from "./token-bucket";

/**
 * One watched user on this process. `online` is what the gateway last learned (probe or live event;
 * null while the first probe is out): a second watcher is answered from it, at no cost. `version`
 * counts live events, so a slower probe answer never overwrites a fresher live one. `waiting`: sockets
 * that started watching while the probe was out.
 */
type Watch = {
  sockets: Set<Socket>;
  sub: Subscription;
  version: number;
  online: boolean | null;
  waiting: Set<Socket> | null;
};

export type WatchResult = "ok" | "limited";

const PROBE_TIMEOUT_MS = 500;

/**
 * Presence without a store: a user is online while any gateway holds one of its sockets.
 * - A gateway publishes online on its first socket of a user; after the last one leaves (and a grace
 *   period, so a reconnect does not flicker) it probes `chat.user.<id>` — any gateway still holding
 *   the user answers — and publishes offline only when nobody does.
 * - Watchers get the current state by the same probe (once per watched user per process), then live
 *   `chat.presence.<id>` events. Who may be watched is the API's call (a signed ticket, checked
 *   before this class sees the list); how much watching costs is counted here, per id.
 * - Last seen is published as a compact record on chat.presence.seen; the worker stores it.
 * Everything here is best effort and shed first (see Fanout.sendEphemeral).
 */
export class Presence {
  private readonly offlineTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly watches = new Map<string, Watch>();
  /** Newly watched ids per user on this process, over all its sockets. */
  private readonly userBudgets = new Map<string, Bucket>();
  private readonly probeBudget: Bucket;

  constructor(
    private readonly nc: NatsConnection,
    private readonly fanout: () => Fanout,
    private readonly env: GatewayEnv,
    private readonly metrics: Metrics,
  ) {
    this.probeBudget = { tokens: env.PRESENCE_PROBE_RATE, at: Date.now() };
  }

  /** Distinct users watched here: one NATS subscription each. */
  get watchedUsers(): number {
    return this.watches.size;
  }

  userOnline(userId: string): void {
    const timer = this.offlineTimers.get(userId);
    if (timer) {
      // Came back within the grace: watchers never saw it leave.
      clearTimeout(timer);
      this.offlineTimers.delete(userId);
      return;
    }
    this.publish({ type: "presence", userId, online: true, lastSeenAt: null });
  }

  userOffline(userId: string): void {
    if (this.offlineTimers.has(userId)) return;
    const timer = setTimeout(() => {
      this.offlineTimers.delete(userId);
      if (this.fanout().holds(userId)) return;
      void this.isOnlineElsewhere(userId).then((online) => {
        if (online || this.fanout().holds(userId)) return;
        this.publish({ type: "presence", userId, online: false, lastSeenAt: Date.now() });
      });
    }, this.env.PRESENCE_GRACE_MS);
    this.offlineTimers.set(userId, timer);
  }

  socketClosed(ws: Socket): void {
    if (ws.data.watching) this.unwatch(ws, ws.data.watching);
    ws.data.watching = null;
    const seen: TPresenceSeen = {
      u: ws.data.userId,
      c: ws.data.clientId,
      t: Date.now(),
      g: this.env.GATEWAY_ID,
    };
    this.safePublish(PRESENCE_SEEN_SUBJECT, JSON.stringify(seen));
  }

  /**
   * Replaces the socket's watch set with `userIds` (already allowed by a ticket) and sends the state
   * of newly watched users. All or nothing: over a budget the set stays as it was.
   */
  watch(ws: Socket, userIds: readonly string[]): WatchResult {
    const previous = new Set(ws.data.watching ?? []);
    const next = new Set(userIds);
    const added = [...next].filter((id) => !previous.has(id));
    const removed = [...previous].filter((id) => !next.has(id));
    if (added.length > 0 && !this.affords(ws, added, removed)) {
      this.metrics.presenceLimited++;
      return "limited";
    }
    this.unwatch(ws, removed);
    ws.data.watching = next.size > 0 ? [...next] : null;
    for (const userId of added) this.startWatching(ws, userId);
    return "ok";
  }

  /** Forgets budgets that have refilled: keeping them would change nothing. */
  sweep(now: number): void {
    for (const [userId, bucket] of this.userBudgets) {
      if (isFull(bucket, this.env.PRESENCE_WATCH_RATE, this.env.PRESENCE_WATCH_BURST, now)) {
        this.userBudgets.delete(userId);
      }
    }
  }

  stop(): void {
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    for (const watch of this.watches.values()) watch.sub.unsubscribe();
    this.watches.clear();
  }

  /**
   * The work `added` costs, checked against every budget before any is spent: each id is one unit of
   * the user's budget; ids nobody here watches yet are one subscription each (process cap) and, unless
   * this process holds the user, one probe (process probe rate).
   */
  private affords(ws: Socket, added: readonly string[], removed: readonly string[]): boolean {
    const now = Date.now();
    const { env } = this;
    const userBucket = this.userBudgets.get(ws.data.userId) ?? { tokens: env.PRESENCE_WATCH_BURST, at: now };
    refill(userBucket, env.PRESENCE_WATCH_RATE, env.PRESENCE_WATCH_BURST, now);
    if (userBucket.tokens < added.length) return false;

    const fresh = added.filter((id) => !this.watches.has(id));
    let freed = 0;
    for (const id of removed) {
      const watch = this.watches.get(id);
      if (watch?.sockets.size === 1 && watch.sockets.has(ws)) freed++;
    }
    if (this.watches.size - freed + fresh.length > env.PRESENCE_MAX_WATCHED) return false;

    const probes = fresh.filter((id) => !this.fanout().holds(id)).length;
    refill(this.probeBudget, env.PRESENCE_PROBE_RATE, env.PRESENCE_PROBE_RATE, now);
    if (this.probeBudget.tokens < probes) return false;

    userBucket.tokens -= added.length;
    this.userBudgets.set(ws.data.userId, userBucket);
    this.probeBudget.tokens -= probes;
    return true;
  }

  private unwatch(ws: Socket, userIds: Iterable<string>): void {
    for (const userId of userIds) {
      const watch = this.watches.get(userId);
      if (!watch) continue;
      watch.sockets.delete(ws);
      watch.waiting?.delete(ws);
      if (watch.sockets.size === 0) {
        watch.sub.unsubscribe();
        this.watches.delete(userId);
      }
    }
  }

  private startWatching(ws: Socket, userId: string): void {
    const existing = this.watches.get(userId);
    if (existing) {
      existing.sockets.add(ws);
      if (existing.online === null) {
        existing.waiting ??= new Set();
        existing.waiting.add(ws);
      } else {
        this.sendState([ws], userId, existing.online);
      }
      return;
    }
    const sub = this.nc.subscribe(presenceSubject(userId), {
      callback: (error, msg) => {
        if (error) return;
        const current = this.watches.get(userId);
        if (!current) return;
        const payload = msg.string();
        const online = (safeJson(payload) as { online?: unknown } | null)?.online;
        current.version++;
        if (typeof online === "boolean") current.online = online;
        // Everyone waiting for the probe is answered by this fresher event.
        current.waiting = null;
        this.fanout().sendEphemeral(current.sockets, wrapEventPayload(payload));
      },
    });
    const watch: Watch = { sockets: new Set([ws]), sub, version: 0, online: null, waiting: new Set([ws]) };
    this.watches.set(userId, watch);
    if (this.fanout().holds(userId)) {
      watch.online = true;
      watch.waiting = null;
      this.sendState([ws], userId, true);
      return;
    }
    this.metrics.presenceProbes++;
    void this.isOnlineElsewhere(userId).then((online) => {
      if (this.watches.get(userId) !== watch || watch.version !== 0) return;
      watch.online = online || this.fanout().holds(userId);
      const waiting = watch.waiting;
      watch.waiting = null;
      if (waiting) this.sendState(waiting, userId, watch.online);
    });
  }

  private sendState(sockets: Iterable<Socket>, userId: string, online: boolean): void {
    const event: TPresenceEvent = { type: "presence", userId, online, lastSeenAt: null };
    const frame = wrapEventPayload(JSON.stringify(event));
    const open = [...sockets].filter((ws) => !ws.data.closing);
    this.fanout().sendEphemeral(open, frame);
  }

  /** Asks every gateway holding the user (they subscribe chat.user.<id>); no responders = offline. */
  private async isOnlineElsewhere(userId: string): Promise<boolean> {
    const probe = headers();
    probe.set(PRESENCE_PROBE_HEADER, this.env.GATEWAY_ID);
    try {
      await this.nc.request(userSubject(userId), "", { timeout: PROBE_TIMEOUT_MS, headers: probe });
      return true;
    } catch {
      return false;
    }
  }

  private publish(event: TPresenceEvent): void {
    this.safePublish(presenceSubject(event.userId), JSON.stringify(event));
  }

  private safePublish(subject: string, payload: string): void {
    try {
      this.nc.publish(subject, payload);
    } catch {
      // Presence is best effort; a closed connection must not break a socket close.
      this.metrics.shed++;
    }
  }
}
