import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  CLIENT_REVOKE_WILDCARD,
  CLOSE_REVOKED,
  CLOSE_SLOW_CONSUMER,
  PRESENCE_PROBE_HEADER,
  userSubject,
  ZRevokeEvent,
} from "@parley/protocol";
import type { Server } from "bun";
import { BigDialogs, safeJson, type TopicEntry } from "./big-dialogs";
import type { GatewayEnv } from "./env";
import type { Metrics } from "./metrics";
import { isDialogEventPayload, isEphemeralPayload, userTopic, wrapEventPayload } from "./protocol";
import type { Socket, SocketData } from "./socket";

const FLUSH_TIMEOUT_MS = 2_000;
const NO_SOCKETS: readonly Socket[] = Object.freeze([]);

/**
 * `topic` is built once per user, not once per delivered event. `sockets` is an array, not a Set: a
 * user has one or a few sockets per process, and a one-entry Set costs ~260 bytes of heap more than
 * a one-entry array — per user, i.e. per socket when every socket is a distinct user.
 */
type UserEntry = TopicEntry;

export type FanoutHooks = {
  onUserOnline: (userId: string) => void;
  onUserOffline: (userId: string) => void;
  onSocketClosed: (ws: Socket) => void;
  /** Every revoke heard, whether or not a socket of the client is here (gateways refuse its tokens). */
  onClientRevoked: (clientId: string) => void;
};

/**
 * NATS → sockets. The process subscribes `chat.user.<id>` while it holds at least one socket of
 * that user, so NATS sends it only the users it serves; each socket joins a Bun topic per user and
 * one event becomes one native publish to all of that user's sockets here.
 */
export class Fanout {
  readonly users = new Map<string, UserEntry>();
  readonly sockets = new Set<Socket>();
  /** Big groups: `chat.dialog.<id>` subscriptions shared by every socket here that lists the dialog. */
  readonly dialogs: BigDialogs;
  shedding = false;
  private flushWaiters: (() => void)[] = [];
  private flushScheduled = false;
  private revokeSub: Subscription | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly server: () => Server<SocketData>,
    private readonly env: GatewayEnv,
    private readonly metrics: Metrics,
    private readonly hooks: FanoutHooks,
  ) {
    this.dialogs = new BigDialogs(nc, metrics, (entry, payload) => this.deliver(entry, payload));
  }

  /** Resolves once the revoke subscription is live at NATS (revokes published after that are heard). */
  start(): Promise<void> {
    // One wildcard subscription: revokes are rare, and this way a revoke reaches every gateway
    // without a per-client subscription.
    this.revokeSub = this.nc.subscribe(CLIENT_REVOKE_WILDCARD, {
      callback: (error, msg) => {
        if (error) return;
        const parsed = ZRevokeEvent.safeParse(safeJson(msg.string()));
        if (!parsed.success) return;
        this.hooks.onClientRevoked(parsed.data.clientId);
        // A socket is bound to one user and client for life, so the client's sockets are among its
        // user's: no per-client index (a Map entry and a Set per socket) for a rare event.
        const entry = this.users.get(parsed.data.userId);
        if (!entry) return;
        for (const ws of [...entry.sockets]) {
          if (ws.data.clientId !== parsed.data.clientId) continue;
          this.metrics.revokeCloses++;
          closeSocket(ws, CLOSE_REVOKED, "client revoked");
        }
      },
    });
    return this.nc.flush();
  }

  /**
   * Registers an authenticated socket with the big dialogs of its token; resolves once its user's
   * and dialogs' subscriptions are live at NATS (one batched flush covers both).
   */
  add(ws: Socket): Promise<void> {
    const { userId } = ws.data;
    this.sockets.add(ws);
    this.dialogs.addSocket(ws);
    const existing = this.users.get(userId);
    ws.subscribe(existing ? existing.topic : userTopic(userId));
    if (existing) {
      existing.sockets.push(ws);
      return this.flushed();
    }
    const sub = this.nc.subscribe(userSubject(userId), {
      callback: (error, msg) => {
        if (error) return;
        this.metrics.natsMessages++;
        const entry = this.users.get(userId);
        if (!entry) return;
        if (msg.headers?.has(PRESENCE_PROBE_HEADER)) {
          // Presence probe from another gateway: say this user has a socket here.
          if (entry.sockets.length > 0) msg.respond("1");
          return;
        }
        const payload = msg.string();
        // Before delivering: a user who left a big dialog stops hearing it now, not at the next
        // token refresh. The client still gets the event.
        if (isDialogEventPayload(payload)) this.dialogs.onDialogEvent(entry.sockets, payload);
        this.deliver(entry, payload);
      },
    });
    this.users.set(userId, { sockets: [ws], sub, topic: userTopic(userId) });
    this.hooks.onUserOnline(userId);
    return this.flushed();
  }

  remove(ws: Socket): void {
    if (!this.sockets.delete(ws)) return;
    this.dialogs.removeSocket(ws);
    const { userId } = ws.data;
    const entry = this.users.get(userId);
    this.hooks.onSocketClosed(ws);
    if (!entry) return;
    const index = entry.sockets.indexOf(ws);
    if (index >= 0) entry.sockets.splice(index, 1);
    if (entry.sockets.length > 0) return;
    // Last socket of this user here: stop receiving its events.
    this.users.delete(userId);
    entry.sub.unsubscribe();
    this.hooks.onUserOffline(userId);
  }

  /**
   * In-band token refresh: the new token's `dlg` replaces the socket's big dialogs. Resolves once
   * any new subscription is live at NATS (then the caller acknowledges the token).
   */
  setDialogs(ws: Socket, dialogIds: readonly string[], issuedAt: number): Promise<void> {
    return this.dialogs.set(ws, dialogIds, issuedAt) ? this.flushed() : Promise.resolve();
  }

  /** The user's sockets here (a user has a handful: the socket limits keep it so). */
  socketsOf(userId: string): readonly Socket[] {
    return this.users.get(userId)?.sockets ?? NO_SOCKETS;
  }

  /** Whether this process holds a socket of the user (answers presence probes). */
  holds(userId: string): boolean {
    return (this.users.get(userId)?.sockets.length ?? 0) > 0;
  }

  /** The hot path of user and big-dialog topics alike: no parse, one native publish per event. */
  private deliver(entry: UserEntry, payload: string): void {
    const frame = wrapEventPayload(payload);
    if (isEphemeralPayload(payload)) {
      this.sendEphemeral(entry.sockets, frame);
      return;
    }
    const result = this.server().publish(entry.topic, frame);
    this.metrics.deliveries += entry.sockets.length;
    this.metrics.framesOut += entry.sockets.length;
    if (result <= 0) {
      // -1: some socket is queuing behind backpressure; 0: a frame was dropped. Check each one.
      if (result === 0) this.metrics.drops++;
      this.closeSlowConsumers(entry.sockets, result === 0);
    }
  }

  /** Typing and presence: never queued behind a backlog, dropped first under load. */
  sendEphemeral(sockets: Iterable<Socket>, frame: string): void {
    for (const ws of sockets) {
      if (this.shedding || ws.getBufferedAmount() > this.env.SHED_BUFFER_BYTES) {
        this.metrics.shed++;
        continue;
      }
      const result = ws.sendText(frame);
      this.metrics.framesOut++;
      if (result === 0) this.metrics.drops++;
    }
  }

  closeSlowConsumers(sockets: Iterable<Socket>, dropped: boolean): void {
    for (const ws of [...sockets]) {
      const buffered = ws.getBufferedAmount();
      // After a drop, a socket with any real backlog may be the one that lost the frame: close it so
      // it reconnects and catches up from the store instead of silently missing a message.
      const bound = dropped ? this.env.SHED_BUFFER_BYTES : this.env.SLOW_CONSUMER_BYTES;
      if (buffered > bound) {
        this.metrics.slowConsumerCloses++;
        closeSocket(ws, CLOSE_SLOW_CONSUMER, "slow consumer");
      }
    }
  }

  /** After a NATS reconnect events may have been lost (core NATS is at-most-once): tell everyone. */
  resyncAll(reason: string): void {
    // A loop, not a topic every socket joins: resyncs are rare and a topic membership costs memory
    // on each of ~19k sockets.
    const frame = JSON.stringify({ type: "resync", reason });
    for (const ws of this.sockets) {
      if (ws.sendText(frame) === 0) this.metrics.drops++;
    }
    this.metrics.resyncsSent += this.sockets.size;
    this.metrics.framesOut += this.sockets.size;
  }

  stop(): void {
    this.revokeSub?.unsubscribe();
    for (const entry of this.users.values()) entry.sub.unsubscribe();
    this.users.clear();
    this.dialogs.stop();
  }

  /**
   * Resolves after a PING/PONG round trip, i.e. once NATS has every SUB sent before it. Batched: a
   * reconnect storm of thousands of sockets costs a handful of round trips, not one each.
   */
  private flushed(): Promise<void> {
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setTimeout(() => this.runFlush(), 0);
    });
  }

  private runFlush(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    this.flushScheduled = false;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      for (const resolve of waiters) resolve();
    };
    // Bounded: while NATS is away a flush waits for the reconnect, and sockets must not wait with
    // it — they get hello now and the reconnect's resync frame covers what they might miss.
    const timer = setTimeout(() => {
      this.metrics.flushTimeouts++;
      release();
    }, FLUSH_TIMEOUT_MS);
    this.nc.flush().then(release, release);
  }
}

export function closeSocket(ws: Socket, code: number, reason: string): void {
  if (ws.data.closing) return;
  ws.data.closing = true;
  ws.close(code, reason);
}
