import { headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import {
  PRESENCE_PROBE_HEADER,
  PRESENCE_SEEN_SUBJECT,
  presenceSubject,
  type TPresenceEvent,
  type TPresenceSeen,
  userSubject,
} from "@parley/protocol";
import type { GatewayEnv } from "./env";
import type { Fanout } from "./fanout";
import type { Metrics } from "./metrics";
import { wrapEventPayload } from "./protocol";
import type { Socket } from "./socket";

/** `version` counts live events: a slower probe answer must not overwrite a fresher live one. */
type Watch = { sockets: Set<Socket>; sub: Subscription; version: number };

const PROBE_TIMEOUT_MS = 500;

/**
 * Presence without a store: a user is online while any gateway holds one of its sockets.
 * - A gateway publishes online on its first socket of a user; after the last one leaves (and a grace
 *   period, so a reconnect does not flicker) it probes `chat.user.<id>` — any gateway still holding
 *   the user answers — and publishes offline only when nobody does.
 * - Watchers get the current state by the same probe, then live `chat.presence.<id>` events.
 * - Last seen is published as a compact record on chat.presence.seen; the worker stores it.
 * Everything here is best effort and shed first (see Fanout.sendEphemeral).
 */
export class Presence {
  private readonly offlineTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly fanout: () => Fanout,
    private readonly env: GatewayEnv,
    private readonly metrics: Metrics,
  ) {}

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
    if (ws.data.watching) this.watch(ws, []);
    const seen: TPresenceSeen = {
      u: ws.data.userId,
      c: ws.data.clientId,
      t: Date.now(),
      g: this.env.GATEWAY_ID,
    };
    this.safePublish(PRESENCE_SEEN_SUBJECT, JSON.stringify(seen));
  }

  /** Replaces the socket's watch set; sends the current state of newly watched users. */
  watch(ws: Socket, userIds: string[]): void {
    const previous = new Set(ws.data.watching ?? []);
    const next = new Set(userIds);
    for (const userId of previous) {
      if (next.has(userId)) continue;
      const watch = this.watches.get(userId);
      if (!watch) continue;
      watch.sockets.delete(ws);
      if (watch.sockets.size === 0) {
        watch.sub.unsubscribe();
        this.watches.delete(userId);
      }
    }
    ws.data.watching = userIds.length > 0 ? [...next] : null;
    for (const userId of next) {
      if (previous.has(userId)) continue;
      let watch = this.watches.get(userId);
      if (!watch) {
        const sub = this.nc.subscribe(presenceSubject(userId), {
          callback: (error, msg) => {
            if (error) return;
            const current = this.watches.get(userId);
            if (!current) return;
            current.version++;
            this.fanout().sendEphemeral(current.sockets, wrapEventPayload(msg.string()));
          },
        });
        watch = { sockets: new Set(), sub, version: 0 };
        this.watches.set(userId, watch);
      }
      watch.sockets.add(ws);
      const target = watch;
      const version = watch.version;
      void this.isOnline(userId).then((online) => {
        if (ws.data.closing || target.version !== version) return;
        const event: TPresenceEvent = { type: "presence", userId, online, lastSeenAt: null };
        this.fanout().sendEphemeral([ws], wrapEventPayload(JSON.stringify(event)));
      });
    }
  }

  stop(): void {
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    for (const watch of this.watches.values()) watch.sub.unsubscribe();
    this.watches.clear();
  }

  private async isOnline(userId: string): Promise<boolean> {
    return this.fanout().holds(userId) || this.isOnlineElsewhere(userId);
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
