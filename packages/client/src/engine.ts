import {
  FRAME_ERROR_CODES,
  MAX_PRESENCE_WATCH,
  type TDialogEvent,
  type TMessage,
  type TMessageContent,
  type TPresenceEvent,
  type TReceiptEvent,
  type TServerFrame,
  type TTypingEvent,
  type TUserEvent,
} from "@parley/protocol";
import { type ApiError, type ChatApi, type PresenceTicket, type SendAck, toApiError } from "./api";
import { backoffDelay } from "./backoff";
import { type ConnectionState, RealtimeConnection } from "./connection";
import { DialogTimeline } from "./dialog-timeline";
import { Emitter } from "./emitter";
import { DialogSendQueue, type OutgoingItem } from "./send-queue";
import { type ChatStore, type DialogCheckpoint, MemoryStore, type StoredOutgoing } from "./store";

export type MessageStatus = "pending" | "sent" | "delivered" | "read" | "failed" | "received";

/** What a UI renders: confirmed messages by seq, then this client's pending ones in send order. */
export type ChatMessage = {
  /** Stable React key: msg id once confirmed, local id while pending. */
  key: string;
  dialogId: string;
  id: string | null;
  seq: number | null;
  senderId: string;
  senderClientId: string;
  clientMsgId: string;
  content: TMessageContent;
  createdAt: number;
  status: MessageStatus;
  isOwn: boolean;
  /** Failed sends: why (the message never committed; `retry` sends it again as a new message). */
  error?: string;
};

export type EngineEvents = {
  /** A confirmed message became visible, in seq order per dialog. */
  message: { dialogId: string; message: TMessage };
  dialog: TDialogEvent | { type: "dialog"; dialogId: string; change: "synced"; lastSeq: number };
  /** An outgoing message changed status. */
  status: {
    dialogId: string;
    localId: string;
    status: MessageStatus;
    msgId?: string;
    seq?: number;
    error?: string;
  };
  connection: { state: ConnectionState | "caught-up"; code?: number; reason?: string; attempt?: number };
  typing: TTypingEvent;
  presence: TPresenceEvent;
  receipt: TReceiptEvent;
  error: { where: string; error: unknown };
};

export type ChatEngineOptions = {
  api: ChatApi;
  /** ws(s)://host/ws of the gateway load balancer, or several gateways to fail over between. */
  realtimeUrl: string | readonly string[];
  /** This client's id (the realtime token's cid); messages from it are "own". */
  clientId: string;
  userId: string;
  store?: ChatStore;
  WebSocketImpl?: typeof WebSocket;
  /** In-flight sends per dialog (the API waits briefly for a predecessor). */
  sendWindow?: number;
  syncPageSize?: number;
  /** Behind by more than this: load the newest page first, backfill older pages lazily. */
  maxCatchUp?: number;
  /** Heard nothing for this long: ask dialog.changes (lost pushes, silent NATS failures). */
  quietCheckMs?: number;
  /**
   * While the user is in more big groups than a realtime token lists, ask dialog.changes this often
   * (the unlisted ones get no pushes here).
   */
  unlistedBigDialogsPollMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  refreshLeadMs?: number;
};

type Watermarks = Map<string, { deliveredSeq: number; readSeq: number }>;

/** A send that failed for good: it never committed. Shown in place until retried or discarded. */
type FailedSend = { item: OutgoingItem; error: string; anchorSeq: number | null };

/** A presence ticket this close to its expiry is fetched again before it is sent. */
const TICKET_LEAD_MS = 30_000;
/** Acks remembered per dialog to place a failed send before its first later sibling. */
const RECENT_ACKS = 256;
/**
 * A push that arrives ahead of a missing one waits this long for it before the engine fetches the
 * gap: concurrent sends of one dialog are published in commit order only approximately, and a sync
 * per inversion from every member was most of a busy group's load.
 */
const GAP_WAIT_MS = 150;
/** A failing sync of a dialog known to be behind is retried for as long as the engine runs. */
const SYNC_RETRY_BACKOFF = { baseMs: 200, maxMs: 30_000 };
/** Refusals that retrying cannot change (the user left the dialog, it is gone, the input is bad). */
const FINAL_SYNC_ERRORS = new Set(["NOT_FOUND", "FORBIDDEN", "BAD_REQUEST"]);

/**
 * The headless sync engine. Ordering rules (DESIGN.md "Ordering and sync"): pushes apply only when
 * contiguous, gaps are filled from dialog.sync, (re)connect subscribes first (hello) and only then
 * catches up with dialog.changes + dialog.sync, a resync frame or a long silence triggers the same
 * catch-up. Sends go through a per-dialog clientSeq pipeline.
 */
export class ChatEngine {
  private readonly emitter = new Emitter<EngineEvents>();
  private readonly timelines = new Map<string, DialogTimeline>();
  private readonly queues = new Map<string, DialogSendQueue>();
  private readonly clientSeqs = new Map<string, number | null>();
  private readonly watermarks = new Map<string, Watermarks>();
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly resyncWanted = new Set<string>();
  private readonly gapTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly store: ChatStore;
  private readonly connection: RealtimeConnection;
  private catchUpRunning: Promise<void> | null = null;
  private catchUpAgain = false;
  /** Big-group subscriptions in progress (token refresh, then sync). */
  private bigJoins = 0;
  private lastHeardAt = Date.now();
  private quietTimer: ReturnType<typeof setInterval> | null = null;
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly deliveredDirty = new Set<string>();
  private started = false;
  private stopped = false;
  private watched: string[] = [];
  private presenceTicket: PresenceTicket | null = null;
  private ticketRetried = false;
  /** Queues created before start() restored the persisted ones are held until then. */
  private restored = false;
  private readonly failed = new Map<string, FailedSend[]>();
  private readonly recentAcks = new Map<string, { order: number; seq: number }[]>();
  private readonly ackedOrders = new Map<string, number>();
  private outgoingWrites: Promise<void> = Promise.resolve();

  constructor(private readonly options: ChatEngineOptions) {
    this.store = options.store ?? new MemoryStore();
    this.connection = new RealtimeConnection({
      url: options.realtimeUrl,
      getToken: () => options.api.realtimeToken(),
      WebSocketImpl: options.WebSocketImpl,
      backoff: options.backoff,
      refreshLeadMs: options.refreshLeadMs,
      onOpen: () => {
        this.lastHeardAt = Date.now();
        // A new socket (maybe on another gateway) knows nothing of our watches: send them again.
        if (this.watched.length > 0) void this.sendPresenceWatch();
        void this.catchUp();
      },
      onFrame: (frame) => this.onFrame(frame),
      onState: (state, detail) => this.emitter.emit("connection", { state, ...detail }),
    });
  }

  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  get connectionState(): ConnectionState {
    return this.connection.state;
  }

  /**
   * Loads checkpoints and the persisted send queue (resumed with the same clientMsgId/clientSeq),
   * then connects; catch-up runs once the gateway says hello.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const checkpoint of await this.store.loadCheckpoints()) {
      const messages = await this.store.loadMessages(checkpoint.dialogId);
      this.timelines.set(
        checkpoint.dialogId,
        new DialogTimeline(checkpoint.dialogId, checkpoint.ranges, messages),
      );
      this.clientSeqs.set(checkpoint.dialogId, checkpoint.nextClientSeq);
      if (checkpoint.ackedOrder !== undefined)
        this.ackedOrders.set(checkpoint.dialogId, checkpoint.ackedOrder);
    }
    await this.restoreOutgoing();
    if (this.stopped) return;
    this.connection.start();
    const quietCheckMs = this.options.quietCheckMs ?? 60_000;
    const unlistedPollMs = this.options.unlistedBigDialogsPollMs ?? 30_000;
    let lastPollAt = Date.now();
    this.quietTimer = setInterval(
      () => {
        const now = Date.now();
        const quiet = now - this.lastHeardAt >= quietCheckMs;
        const poll = this.connection.hasUnlistedBigDialogs && now - lastPollAt >= unlistedPollMs;
        if (!quiet && !poll) return;
        this.lastHeardAt = now;
        lastPollAt = now;
        void this.catchUp();
      },
      Math.min(quietCheckMs, unlistedPollMs, 5_000),
    );
  }

  stop(): void {
    this.stopped = true;
    this.connection.stop();
    if (this.quietTimer) clearInterval(this.quietTimer);
    if (this.deliveredTimer) clearTimeout(this.deliveredTimer);
    for (const timer of this.gapTimers.values()) clearTimeout(timer);
    this.gapTimers.clear();
    for (const queue of this.queues.values()) queue.stop();
  }

  /** Simulates a network cut (tests): the engine reconnects and catches up by itself. */
  dropConnection(): void {
    this.connection.drop();
  }

  /** Queues a message; returns its local id (status events carry it). Persisted before it is sent. */
  send(dialogId: string, content: TMessageContent | string): string {
    const body: TMessageContent = typeof content === "string" ? { kind: "text", text: content } : content;
    const item = this.queueFor(dialogId).enqueue(body);
    this.emitter.emit("status", { dialogId, localId: item.localId, status: "pending" });
    return item.localId;
  }

  /**
   * Sends a failed message again. It never committed, so it goes at the end as a new message (new
   * clientMsgId and clientSeq) under the same local id; false if there is no such failed send.
   */
  retry(dialogId: string, localId: string): boolean {
    const failed = this.takeFailed(dialogId, localId);
    if (!failed) return false;
    this.queueFor(dialogId).enqueue(failed.item.content, localId);
    this.emitter.emit("status", { dialogId, localId, status: "pending" });
    return true;
  }

  /** Forgets a failed send (the user gave up on it). */
  discard(dialogId: string, localId: string): boolean {
    const failed = this.takeFailed(dialogId, localId);
    if (!failed) return false;
    this.writeOutgoing((store) => store.deleteOutgoing?.(localId));
    return true;
  }

  /**
   * Confirmed messages in seq order, then pending ones in send order. A failed send (never
   * committed) sits where it was sent: before the first later message of ours that committed.
   */
  messages(dialogId: string): ChatMessage[] {
    const timeline = this.timelines.get(dialogId);
    const marks = this.watermarks.get(dialogId);
    const confirmed = (timeline?.messages() ?? []).map((m) => this.toChatMessage(m, marks));
    const failed = [...(this.failed.get(dialogId) ?? [])].sort(
      (a, b) => (a.item.order ?? 0) - (b.item.order ?? 0),
    );
    // A send whose push or sync landed before its ack is shown once: as the confirmed message.
    const own = new Set(
      confirmed.filter((m) => m.senderClientId === this.options.clientId).map((m) => m.clientMsgId),
    );
    const pending = (this.queues.get(dialogId)?.items ?? [])
      .filter((item) => !own.has(item.clientMsgId))
      .map((item) => this.toPendingMessage(item));
    if (failed.length === 0) return [...confirmed, ...pending];
    const merged: ChatMessage[] = [];
    let next = 0;
    for (const message of confirmed) {
      while (next < failed.length) {
        const entry = failed[next] as FailedSend;
        if (entry.anchorSeq === null || (message.seq ?? 0) < entry.anchorSeq) break;
        merged.push(this.toPendingMessage(entry.item, entry.error));
        next++;
      }
      merged.push(message);
    }
    for (const entry of failed.slice(next)) merged.push(this.toPendingMessage(entry.item, entry.error));
    return [...merged, ...pending];
  }

  /** Dialogs this engine knows, with what it holds and what the server has. */
  dialogs(): {
    dialogId: string;
    lastSeq: number;
    heldSeq: number;
    pendingSends: number;
    failedSends: number;
  }[] {
    return [...this.timelines.values()].map((t) => ({
      dialogId: t.dialogId,
      lastSeq: t.serverLastSeq,
      heldSeq: t.top(),
      pendingSends: this.queues.get(t.dialogId)?.pending ?? 0,
      failedSends: this.failed.get(t.dialogId)?.length ?? 0,
    }));
  }

  /** Missing older ranges of a dialog (after a newest-page-first catch-up). */
  holes(dialogId: string): [number, number][] {
    return this.timelines.get(dialogId)?.ranges.holes() ?? [];
  }

  /** Fetches the page just below the oldest hole's top (lazy backfill while scrolling up). */
  async loadOlder(dialogId: string, limit = this.options.syncPageSize ?? 100): Promise<number> {
    const timeline = this.timeline(dialogId);
    const hole = timeline.ranges.holes().at(-1);
    if (!hole) return 0;
    const page = await this.options.api.history({ dialogId, beforeSeq: hole[1] + 1, limit });
    const oldest = page.messages[0]?.seq ?? hole[0];
    const from = page.hasMore ? oldest : hole[0];
    const added = timeline.applyPage(from - 1, hole[1], page.messages);
    this.persist(dialogId, added);
    return added.length;
  }

  markRead(dialogId: string, seq?: number): Promise<void> {
    const upTo = seq ?? this.timeline(dialogId).top();
    return this.options.api.markRead({ dialogId, seq: upTo });
  }

  typing(dialogId: string): Promise<void> {
    return this.options.api.typing({ dialogId });
  }

  /**
   * Replaces the watched users; kept across reconnects. Answers arrive as `presence` events. The API
   * signs which of them this client may watch (people it shares a dialog with); the gateway watches
   * only those.
   */
  watchPresence(userIds: string[]): void {
    this.watched = [...new Set(userIds)].slice(0, MAX_PRESENCE_WATCH);
    this.presenceTicket = null;
    void this.sendPresenceWatch();
  }

  /** presence.watch with a ticket (fetched again when it is missing, refused or close to expiry). */
  private async sendPresenceWatch(refetch = false): Promise<void> {
    if (this.watched.length === 0) {
      this.connection.send({ type: "presence.watch", userIds: [] });
      return;
    }
    const fetchTicket = this.options.api.presenceTicket;
    if (!fetchTicket) return;
    const watched = this.watched;
    try {
      if (refetch || !this.presenceTicket || this.presenceTicket.expiresAt - Date.now() < TICKET_LEAD_MS) {
        this.presenceTicket = await fetchTicket({ userIds: watched });
      }
      if (watched !== this.watched) return; // replaced meanwhile: the newer call sends its own
      this.connection.send({ type: "presence.watch", ticket: this.presenceTicket.ticket });
    } catch (error) {
      this.emitter.emit("error", { where: "presence", error });
    }
  }

  /** Resolves when every queued send is acked and no dialog is behind (tests, "all caught up" UIs). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy =
        [...this.queues.values()].some((q) => q.pending > 0) ||
        this.syncing.size > 0 ||
        this.bigJoins > 0 ||
        this.catchUpRunning !== null ||
        [...this.timelines.values()].some((t) => t.isBehind());
      if (!busy) return;
      if (Date.now() > deadline) throw new Error("engine did not settle");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** dialog.changes, then dialog.sync for every dialog that is behind. Single-flight. */
  catchUp(): Promise<void> {
    if (this.catchUpRunning) {
      this.catchUpAgain = true;
      return this.catchUpRunning;
    }
    const run = async () => {
      do {
        this.catchUpAgain = false;
        try {
          const changes = await this.options.api.changes();
          for (const change of changes) {
            const timeline = this.timeline(change.dialogId);
            timeline.serverLastSeq = Math.max(timeline.serverLastSeq, change.lastSeq);
            if (timeline.isBehind()) void this.syncDialog(change.dialogId);
          }
          await Promise.all([...this.syncing.values()]);
          this.emitter.emit("connection", { state: "caught-up" });
        } catch (error) {
          this.emitter.emit("error", { where: "catch-up", error });
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          this.catchUpAgain = true;
        }
      } while (this.catchUpAgain && this.started && this.connection.state !== "stopped");
    };
    this.catchUpRunning = run().finally(() => {
      this.catchUpRunning = null;
    });
    return this.catchUpRunning;
  }

  private onFrame(frame: TServerFrame): void {
    if (
      frame.type === "error" &&
      frame.code === FRAME_ERROR_CODES.presenceNotAllowed &&
      !this.ticketRetried
    ) {
      // A ticket the gateway would not take (expired, or minted for an older membership): once more.
      this.ticketRetried = true;
      void this.sendPresenceWatch(true);
      return;
    }
    // Only the stream counts as hearing from it: pongs and acks arrive whether or not a push was lost.
    if (frame.type === "resync") {
      this.lastHeardAt = Date.now();
      void this.catchUp();
      return;
    }
    if (frame.type === "event") {
      this.lastHeardAt = Date.now();
      this.onEvent(frame.event);
    }
  }

  private onEvent(event: TUserEvent): void {
    switch (event.type) {
      case "message": {
        const timeline = this.timeline(event.dialogId);
        const result = timeline.applyPush(event);
        if (result === "applied") this.onConfirmed(event.dialogId, [event.message, ...timeline.drainEarly()]);
        else if (result === "gap") this.fillGapSoon(event.dialogId);
        return;
      }
      case "receipt": {
        let marks = this.watermarks.get(event.dialogId);
        if (!marks) {
          marks = new Map();
          this.watermarks.set(event.dialogId, marks);
        }
        const previous = marks.get(event.userId) ?? { deliveredSeq: 0, readSeq: 0 };
        marks.set(event.userId, {
          deliveredSeq: Math.max(previous.deliveredSeq, event.deliveredSeq),
          readSeq: Math.max(previous.readSeq, event.readSeq),
        });
        this.emitter.emit("receipt", event);
        return;
      }
      case "dialog": {
        const timeline = this.timeline(event.dialogId);
        timeline.serverLastSeq = Math.max(timeline.serverLastSeq, event.lastSeq);
        // "joined" always refreshes (a gateway ignores a listed dialog after "left" until a fresh
        // token); "updated" only when this socket does not hear the dialog yet — every membership
        // change of a big group says "updated", and a refresh per member per change is a storm.
        if (
          event.big === true &&
          (event.change === "joined" ||
            (event.change === "updated" && !this.connection.hearsBigDialog(event.dialogId)))
        ) {
          void this.subscribeBigDialog(event.dialogId);
        } else if (timeline.isBehind()) void this.syncDialog(event.dialogId);
        this.emitter.emit("dialog", event);
        return;
      }
      case "typing":
        this.emitter.emit("typing", event);
        return;
      case "presence":
        this.emitter.emit("presence", event);
        return;
    }
  }

  /**
   * A big group joined (or a group became big): its messages come on `chat.dialog.<id>`, which the
   * gateway hears for this socket only once a token lists it. So: a fresh token in-band, auth.ok
   * (the gateway subscribed), then sync — subscribe first, then catch up, as on every reconnect.
   */
  private async subscribeBigDialog(dialogId: string): Promise<void> {
    this.bigJoins++;
    try {
      const subscribed = await this.connection.refreshToken();
      // No open socket: the next hello's catch-up covers the dialog, its token lists it.
      if (!subscribed && this.connection.state !== "open") return;
      // Refused or unanswered: sync what there is; the next refresh subscribes and the next
      // message's prevSeq gap fills whatever came in between.
      await this.syncDialog(dialogId);
    } finally {
      this.bigJoins--;
    }
  }

  /**
   * One fetch per gap: the missing push gets GAP_WAIT_MS to arrive; a sync already running reads up
   * to the server's last seq, which this push raised, so it covers the gap too.
   */
  private fillGapSoon(dialogId: string): void {
    if (this.gapTimers.has(dialogId) || this.syncing.has(dialogId)) return;
    this.gapTimers.set(
      dialogId,
      setTimeout(() => {
        this.gapTimers.delete(dialogId);
        if (this.timeline(dialogId).isBehind()) void this.syncDialog(dialogId);
      }, GAP_WAIT_MS),
    );
  }

  /** Fills a dialog from top() to the server's last seq. Single-flight per dialog. */
  private syncDialog(dialogId: string): Promise<void> {
    const running = this.syncing.get(dialogId);
    if (running) {
      this.resyncWanted.add(dialogId);
      return running;
    }
    const run = async () => {
      const timeline = this.timeline(dialogId);
      const limit = this.options.syncPageSize ?? 100;
      const maxCatchUp = this.options.maxCatchUp ?? 1_000;
      let failures = 0;
      do {
        this.resyncWanted.delete(dialogId);
        try {
          if (timeline.serverLastSeq - timeline.top() > maxCatchUp) {
            // Far behind: newest page first; the hole stays a range and loadOlder fills it.
            const page = await this.options.api.history({ dialogId, beforeSeq: null, limit });
            const from = page.messages[0]?.seq ?? page.lastSeq + 1;
            // lastSeq is read before the page: a message committed in between is in the page.
            const through = Math.max(page.lastSeq, page.messages.at(-1)?.seq ?? 0);
            this.onConfirmed(dialogId, [
              ...timeline.applyPage(from - 1, through, page.messages),
              ...timeline.drainEarly(),
            ]);
          }
          while (timeline.isBehind() || this.resyncWanted.has(dialogId)) {
            this.resyncWanted.delete(dialogId);
            const afterSeq = timeline.top();
            const page = await this.options.api.sync({ dialogId, afterSeq, limit });
            const last = page.messages.at(-1)?.seq ?? afterSeq;
            const through = page.hasMore ? last : Math.max(last, page.lastSeq);
            this.onConfirmed(dialogId, [
              ...timeline.applyPage(afterSeq, through, page.messages),
              ...timeline.drainEarly(),
            ]);
            if (!page.hasMore && through <= afterSeq) {
              timeline.serverLastSeq = Math.min(timeline.serverLastSeq, Math.max(page.lastSeq, afterSeq));
              break;
            }
          }
        } catch (error) {
          this.emitter.emit("error", { where: "sync", error });
          if (FINAL_SYNC_ERRORS.has(toApiError(error).code)) {
            // Not ours to read any more: stop calling it behind, or nothing would ever settle.
            timeline.serverLastSeq = timeline.top();
            return;
          }
          // A known gap is never abandoned: retried with backoff for as long as the engine runs.
          const delay = backoffDelay(failures++, this.options.backoff ?? SYNC_RETRY_BACKOFF);
          await new Promise((resolve) => setTimeout(resolve, delay));
          this.resyncWanted.add(dialogId);
        }
      } while (this.resyncWanted.has(dialogId) && !this.stopped && this.connection.state !== "stopped");
      this.emitter.emit("dialog", { type: "dialog", dialogId, change: "synced", lastSeq: timeline.top() });
    };
    const promise = run().finally(() => this.syncing.delete(dialogId));
    this.syncing.set(dialogId, promise);
    return promise;
  }

  private onConfirmed(dialogId: string, messages: readonly TMessage[]): void {
    if (messages.length === 0) return;
    this.persist(dialogId, messages);
    for (const message of messages) {
      this.emitter.emit("message", { dialogId, message });
      if (message.senderClientId === this.options.clientId) this.matchOwn(dialogId, message);
    }
    this.deliveredDirty.add(dialogId);
    this.scheduleDelivered();
  }

  /** Our own message arrived before its ack (push or sync): show it once, as sent. */
  private matchOwn(dialogId: string, message: TMessage): void {
    const queue = this.queues.get(dialogId);
    const item = queue?.items.find((i) => i.clientMsgId === message.clientMsgId);
    if (!item) return;
    this.emitter.emit("status", {
      dialogId,
      localId: item.localId,
      status: "sent",
      msgId: message.id,
      seq: message.seq,
    });
  }

  private scheduleDelivered(): void {
    if (this.deliveredTimer) return;
    // Debounced: one watermark write per dialog per second at most, not one per message.
    this.deliveredTimer = setTimeout(() => {
      this.deliveredTimer = null;
      for (const dialogId of this.deliveredDirty) {
        const seq = this.timeline(dialogId).top();
        this.options.api.markDelivered({ dialogId, seq }).catch((error: unknown) => {
          this.emitter.emit("error", { where: "markDelivered", error });
        });
      }
      this.deliveredDirty.clear();
    }, 1_000);
  }

  private persist(dialogId: string, messages: readonly TMessage[]): void {
    const timeline = this.timeline(dialogId);
    const ackedOrder = this.queues.get(dialogId)?.lastAckedOrder ?? this.ackedOrders.get(dialogId);
    const checkpoint: DialogCheckpoint = {
      dialogId,
      ranges: timeline.ranges.toJSON(),
      nextClientSeq: this.clientSeqs.get(dialogId) ?? null,
      ...(ackedOrder === undefined ? {} : { ackedOrder }),
    };
    Promise.all([this.store.saveMessages(dialogId, messages), this.store.saveCheckpoint(checkpoint)]).catch(
      (error: unknown) => this.emitter.emit("error", { where: "store", error }),
    );
  }

  private timeline(dialogId: string): DialogTimeline {
    let timeline = this.timelines.get(dialogId);
    if (!timeline) {
      timeline = new DialogTimeline(dialogId);
      this.timelines.set(dialogId, timeline);
    }
    return timeline;
  }

  private queueFor(dialogId: string): DialogSendQueue {
    let queue = this.queues.get(dialogId);
    if (queue) return queue;
    // Our own confirmed messages prove their clientSeqs are used, whatever the checkpoint says.
    const known = this.clientSeqs.get(dialogId) ?? null;
    let ownTop = 0;
    for (const message of this.timelines.get(dialogId)?.messages() ?? []) {
      if (message.senderClientId === this.options.clientId) ownTop = Math.max(ownTop, message.clientSeq);
    }
    queue = new DialogSendQueue(
      dialogId,
      known === null ? null : Math.max(known, ownTop + 1),
      this.options.sendWindow ?? 8,
      {
        send: (input) => this.options.api.send(input),
        onAck: (item, ack) => this.onAck(item, ack),
        onFailed: (item, error) => this.onFailed(item, error),
        onClientSeq: (id, next) => {
          this.clientSeqs.set(id, next);
          this.persist(id, []);
        },
        persist: (item) => this.writeOutgoing((store) => store.saveOutgoing?.(toStored(item, "pending"))),
        forget: (item) => this.writeOutgoing((store) => store.deleteOutgoing?.(item.localId)),
      },
      { held: !this.restored, ackedOrder: this.ackedOrders.get(dialogId) ?? 0 },
    );
    this.queues.set(dialogId, queue);
    return queue;
  }

  /** The previous run's unacked sends go back in their queues, failed ones back in place. */
  private async restoreOutgoing(): Promise<void> {
    let stored: StoredOutgoing[] = [];
    try {
      stored = (await this.store.loadOutgoing?.()) ?? [];
    } catch (error) {
      this.emitter.emit("error", { where: "store", error });
    }
    const byDialog = new Map<string, StoredOutgoing[]>();
    for (const record of stored) {
      const list = byDialog.get(record.dialogId) ?? [];
      list.push(record);
      byDialog.set(record.dialogId, list);
    }
    for (const [dialogId, records] of byDialog) {
      const timeline = this.timelines.get(dialogId);
      const pending: OutgoingItem[] = [];
      for (const record of records) {
        const item = fromStored(record);
        if (record.status === "failed") {
          const list = this.failed.get(dialogId) ?? [];
          list.push({ item, error: record.error ?? "failed", anchorSeq: record.anchorSeq ?? null });
          this.failed.set(dialogId, list);
          continue;
        }
        // Committed and synced before the ack was handled: nothing left to send.
        const held = timeline
          ?.messages()
          .some((m) => m.senderClientId === this.options.clientId && m.clientMsgId === record.clientMsgId);
        if (held) this.writeOutgoing((store) => store.deleteOutgoing?.(record.localId));
        else pending.push(item);
      }
      // Numbers used by any saved send (even one already held) are taken: the checkpoint's
      // nextClientSeq is only written on acks, so it may lag behind what was dispatched.
      this.queueFor(dialogId).restore(pending, {
        nextClientSeq: 1 + Math.max(0, ...records.map((r) => r.clientSeq)),
        ackedOrder: this.ackedOrders.get(dialogId) ?? 0,
        nextOrder: 1 + Math.max(0, ...records.map((r) => r.order)),
      });
    }
    // Queues that send() created before the checkpoints were loaded (held, nothing dispatched).
    for (const [dialogId, queue] of this.queues) {
      if (byDialog.has(dialogId)) continue;
      queue.restore([], { ackedOrder: this.ackedOrders.get(dialogId) ?? 0 });
    }
    this.restored = true;
    for (const queue of this.queues.values()) queue.release();
  }

  /** Outgoing writes go one after another: a later state of an item never loses to an earlier one. */
  private writeOutgoing(write: (store: ChatStore) => Promise<void> | undefined): Promise<void> {
    this.outgoingWrites = this.outgoingWrites
      .then(() => write(this.store))
      .catch((error: unknown) => this.emitter.emit("error", { where: "store", error }));
    return this.outgoingWrites;
  }

  private takeFailed(dialogId: string, localId: string): FailedSend | null {
    const list = this.failed.get(dialogId) ?? [];
    const index = list.findIndex((f) => f.item.localId === localId);
    if (index < 0) return null;
    const [failed] = list.splice(index, 1);
    return failed ?? null;
  }

  private onAck(item: OutgoingItem, ack: SendAck): void {
    const order = item.order ?? 0;
    const acks = this.recentAcks.get(item.dialogId) ?? [];
    acks.push({ order, seq: ack.seq });
    if (acks.length > RECENT_ACKS) acks.shift();
    this.recentAcks.set(item.dialogId, acks);
    // A failed send of ours placed before its first later sibling that committed.
    for (const failed of this.failed.get(item.dialogId) ?? []) {
      if ((failed.item.order ?? 0) >= order) continue;
      if (failed.anchorSeq !== null && failed.anchorSeq <= ack.seq) continue;
      failed.anchorSeq = ack.seq;
      this.saveFailed(failed);
    }
    const timeline = this.timeline(item.dialogId);
    timeline.serverLastSeq = Math.max(timeline.serverLastSeq, ack.seq);
    this.emitter.emit("status", {
      dialogId: item.dialogId,
      localId: item.localId,
      status: "sent",
      msgId: ack.msgId,
      seq: ack.seq,
    });
    // The push normally lands first; if it was lost, the ack tells us we are behind.
    if (timeline.isBehind()) {
      setTimeout(() => {
        if (timeline.isBehind() && !this.syncing.has(item.dialogId)) void this.syncDialog(item.dialogId);
      }, 250);
    }
  }

  private onFailed(item: OutgoingItem, error: ApiError | unknown): void {
    const apiError = toApiError(error);
    const order = item.order ?? 0;
    let anchorSeq: number | null = null;
    for (const ack of this.recentAcks.get(item.dialogId) ?? []) {
      if (ack.order > order && (anchorSeq === null || ack.seq < anchorSeq)) anchorSeq = ack.seq;
    }
    const failed: FailedSend = { item, error: `${apiError.code}: ${apiError.message}`, anchorSeq };
    const list = this.failed.get(item.dialogId) ?? [];
    list.push(failed);
    this.failed.set(item.dialogId, list);
    this.saveFailed(failed);
    this.emitter.emit("status", {
      dialogId: item.dialogId,
      localId: item.localId,
      status: "failed",
      error: `${apiError.code}: ${apiError.message}`,
    });
  }

  private toChatMessage(message: TMessage, marks: Watermarks | undefined): ChatMessage {
    const isOwn = message.senderId === this.options.userId;
    let status: MessageStatus = "received";
    if (isOwn) {
      status = "sent";
      for (const [userId, mark] of marks ?? []) {
        if (userId === this.options.userId) continue;
        if (mark.readSeq >= message.seq) {
          status = "read";
          break;
        }
        if (mark.deliveredSeq >= message.seq) status = "delivered";
      }
    }
    return {
      key: message.id,
      dialogId: message.dialogId,
      id: message.id,
      seq: message.seq,
      senderId: message.senderId,
      senderClientId: message.senderClientId,
      clientMsgId: message.clientMsgId,
      content: message.content,
      createdAt: message.createdAt,
      status,
      isOwn,
    };
  }

  private saveFailed(failed: FailedSend): void {
    const record = { ...toStored(failed.item, "failed"), error: failed.error, anchorSeq: failed.anchorSeq };
    void this.writeOutgoing((store) => store.saveOutgoing?.(record));
  }

  private toPendingMessage(item: OutgoingItem, error?: string): ChatMessage {
    return {
      key: item.localId,
      dialogId: item.dialogId,
      id: null,
      seq: null,
      senderId: this.options.userId,
      senderClientId: this.options.clientId,
      clientMsgId: item.clientMsgId,
      content: item.content,
      createdAt: item.createdAt,
      status: error === undefined ? "pending" : "failed",
      isOwn: true,
      ...(error === undefined ? {} : { error }),
    };
  }
}

function toStored(item: OutgoingItem, status: StoredOutgoing["status"]): StoredOutgoing {
  return {
    localId: item.localId,
    dialogId: item.dialogId,
    clientMsgId: item.clientMsgId,
    clientSeq: item.clientSeq,
    content: item.content,
    createdAt: item.createdAt,
    order: item.order ?? 0,
    status,
  };
}

function fromStored(record: StoredOutgoing): OutgoingItem {
  return {
    localId: record.localId,
    dialogId: record.dialogId,
    content: record.content,
    clientMsgId: record.clientMsgId,
    clientSeq: record.clientSeq,
    state: "queued",
    attempts: 0,
    createdAt: record.createdAt,
    order: record.order,
  };
}
