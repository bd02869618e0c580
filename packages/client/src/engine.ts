import {
  FRAME_ERROR_CODES,
  type TChangeInput,
  type TGroupInfoEvent,
  type TMessage,
  type TProfileEvent,
  type TSendContent,
  type TServerFrame,
} from "@parley/protocol";
import { type ApiError, type SendAck, toApiError } from "./api";
import {
  AttachmentUploads,
  hasUnsentAttachments,
  type OutgoingFile,
  type UploadProgress,
} from "./attachment-uploads";
import { randomId } from "./backoff";
import { renderTimeline } from "./chat-messages";
import type { ConnectionState } from "./connection";
import { Emitter } from "./emitter";
import { assembleEngineParts, type EngineParts } from "./engine-parts";
import {
  type ChatEngineOptions,
  type ChatMessage,
  type EmitEngineEvent,
  ENGINE_DEFAULTS,
  type EngineEvents,
  type MessageStatus,
} from "./engine-types";
import { isChangeContent, isChangeRow } from "./message-state";
import type { OutgoingItem } from "./send-queue";
import { applyUserEvent } from "./user-events";

export type { ChatEngineOptions, ChatMessage, EngineEvents, MessageStatus };

/** settled() looks this often whether the engine has gone quiet. */
const SETTLED_POLL_MS = 20;
const DEFAULT_SETTLE_TIMEOUT_MS = 10_000;
/** Messages fetched around a message the user jumps to. */
const AROUND_PAGE = 40;

/**
 * The headless sync engine: a façade over its parts. Ordering rules (docs/design.md "Ordering and
 * sync"): pushes apply only when contiguous, gaps are filled from dialog.sync (gap-filler,
 * dialog-sync), (re)connect subscribes first (hello) and only then catches up with dialog.changes +
 * dialog.sync (catch-up), a resync frame or a long silence triggers the same catch-up. Sends go
 * through a per-dialog clientSeq pipeline (send-queues, outgoing-journal, failed-sends).
 */
export class ChatEngine {
  private readonly emitter = new Emitter<EngineEvents>();
  private readonly emit: EmitEngineEvent = (event, payload) => this.emitter.emit(event, payload);
  private readonly parts: EngineParts;
  private readonly uploads: AttachmentUploads;
  private started = false;
  private stopped = false;

  constructor(private readonly options: ChatEngineOptions) {
    this.uploads = new AttachmentUploads(options.uploader, (progress) => this.emit("upload", progress));
    this.parts = assembleEngineParts(options, {
      emit: this.emit,
      onFrame: (frame) => this.onFrame(frame),
      onConfirmed: (dialogId, messages) => this.onConfirmed(dialogId, messages),
      onAck: (item, ack) => this.onAck(item, ack),
      onFailed: (item, error) => this.onFailed(item, error),
      isStarted: () => this.started,
      isStopped: () => this.stopped,
    });
  }

  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  get connectionState(): ConnectionState {
    return this.parts.connection.state;
  }

  /**
   * Loads checkpoints and the persisted send queue (resumed with the same clientMsgId/clientSeq),
   * then connects; catch-up runs once the gateway says hello.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.parts.states.load();
    await this.parts.queues.restore();
    if (this.stopped) return;
    this.parts.connection.start();
    this.parts.catchUps.startTimer();
  }

  stop(): void {
    this.stopped = true;
    this.parts.connection.stop();
    this.parts.catchUps.stop();
    this.parts.delivered.stop();
    this.parts.reads.stop();
    this.parts.gaps.stop();
    this.parts.queues.stop();
  }

  /** Simulates a network cut (tests): the engine reconnects and catches up by itself. */
  dropConnection(): void {
    this.parts.connection.drop();
  }

  /** Queues a message; returns its local id (status events carry it). Persisted before it is sent. */
  send(dialogId: string, content: TSendContent | string): string {
    const body: TSendContent = typeof content === "string" ? { kind: "text", text: content } : content;
    const item = this.parts.queues.queueFor(dialogId).enqueue(body);
    this.emit("status", { dialogId, localId: item.localId, status: "pending" });
    return item.localId;
  }

  /** Replies to a message of the dialog (the server adds the quoted preview). */
  reply(dialogId: string, replyTo: string, text: string): string {
    return this.send(dialogId, { kind: "text", text, replyTo });
  }

  /**
   * Edits, deletes (for everyone) or reacts to a message. A change goes through the same pipeline as
   * a message — after every earlier send of ours, with its own clientSeq and send-once id — and is
   * shown on its message at once; the server places it in the dialog's order and every client
   * applies it from there (docs/design.md "Message life cycle").
   */
  change(dialogId: string, change: TChangeInput): string {
    return this.send(dialogId, change);
  }

  edit(dialogId: string, msgId: string, text: string): string {
    return this.change(dialogId, { kind: "edit", target: msgId, text });
  }

  deleteMessage(dialogId: string, msgId: string): string {
    return this.change(dialogId, { kind: "delete", target: msgId });
  }

  react(dialogId: string, msgId: string, emoji: string, on: boolean): string {
    return this.change(dialogId, { kind: "reaction", target: msgId, emoji, on });
  }

  /**
   * Sends files (and an optional caption) as one message. It takes its place in this client's order
   * now — a message typed after it waits behind it, never overtakes it — and is sent once every file
   * is uploaded (`upload` events report progress). A failed upload fails the message in place, like
   * any failed send (retry uploads again; discard forgets it).
   */
  sendFiles(
    dialogId: string,
    files: readonly OutgoingFile[],
    text?: string,
    localId: string = randomId(),
  ): string {
    const prepare = this.uploads.start(dialogId, localId, files, text);
    this.parts.queues.queueFor(dialogId).enqueuePrepared(this.uploads.draft(files, text), prepare, localId);
    this.emit("status", { dialogId, localId, status: "pending" });
    return localId;
  }

  /** Bytes sent so far of a pending message's files (null: not uploading). */
  uploadProgress(localId: string): UploadProgress | null {
    return this.uploads.progressOf(localId);
  }

  /**
   * Sends a failed message again. It never committed, so it goes at the end as a new message (new
   * clientMsgId and clientSeq) under the same local id; false if there is no such failed send.
   */
  retry(dialogId: string, localId: string): boolean {
    // Files that never finished uploading go up again — if this run still holds them. After a
    // restart they are gone: the message stays failed (only Delete helps), no request is wasted.
    const unsent = this.parts.failedSends.inOrder(dialogId).find((f) => f.item.localId === localId);
    const upload =
      unsent && hasUnsentAttachments(unsent.item.content)
        ? this.uploads.restart(dialogId, localId)
        : undefined;
    if (upload === null) return false;
    const failed = this.parts.failedSends.take(dialogId, localId);
    if (!failed) return false;
    const queue = this.parts.queues.queueFor(dialogId);
    if (upload) queue.enqueuePrepared(failed.item.content, upload, localId);
    else queue.enqueue(failed.item.content, localId);
    this.emit("status", { dialogId, localId, status: "pending" });
    return true;
  }

  /** Forgets a failed send (the user gave up on it). */
  discard(dialogId: string, localId: string): boolean {
    const failed = this.parts.failedSends.take(dialogId, localId);
    if (!failed) return false;
    void this.parts.journal.forget(localId);
    this.uploads.forget(localId);
    return true;
  }

  /**
   * Confirmed messages in seq order, then pending ones in send order. A failed send (never
   * committed) sits where it was sent: before the first later message of ours that committed.
   */
  messages(dialogId: string): ChatMessage[] {
    const timeline = this.parts.states.existing(dialogId);
    const pending = this.parts.queues.get(dialogId)?.items ?? [];
    const confirmedOwn = new Set<string>();
    if (timeline && pending.some((item) => isChangeContent(item.content))) {
      for (const item of pending) {
        if (
          isChangeContent(item.content) &&
          this.parts.states.holdsOwn(dialogId, this.options.clientId, item.clientMsgId)
        )
          confirmedOwn.add(item.clientMsgId);
      }
    }
    return renderTimeline(this.options, {
      confirmed: timeline?.visibleMessages() ?? [],
      failed: this.parts.failedSends.inOrder(dialogId),
      pending,
      receipts: this.parts.receipts,
      confirmedOwn,
    });
  }

  /** Dialogs this engine knows, with what it holds and what the server has. */
  dialogs(): {
    dialogId: string;
    lastSeq: number;
    heldSeq: number;
    pendingSends: number;
    failedSends: number;
  }[] {
    return this.parts.states.all().map((t) => ({
      dialogId: t.dialogId,
      lastSeq: t.serverLastSeq,
      heldSeq: t.top(),
      pendingSends: this.parts.queues.get(t.dialogId)?.pending ?? 0,
      failedSends: this.parts.failedSends.count(t.dialogId),
    }));
  }

  /** Missing older ranges of a dialog (after a newest-page-first catch-up). */
  holes(dialogId: string): [number, number][] {
    return this.parts.states.existing(dialogId)?.ranges.holes() ?? [];
  }

  /** Fetches the page just below the oldest hole's top (lazy backfill while scrolling up). */
  async loadOlder(
    dialogId: string,
    limit = this.options.syncPageSize ?? ENGINE_DEFAULTS.syncPageSize,
  ): Promise<number> {
    const timeline = this.parts.states.timeline(dialogId);
    const hole = timeline.ranges.holes().at(-1);
    if (!hole) return 0;
    const page = await this.options.api.history({ dialogId, beforeSeq: hole[1] + 1, limit });
    const oldest = page.messages[0]?.seq ?? hole[0];
    const from = page.hasMore ? oldest : hole[0];
    const added = timeline.applyPage(from - 1, hole[1], page.messages);
    this.parts.states.persist(dialogId, [...added, ...this.flushUpdated(dialogId)]);
    return added.length;
  }

  /**
   * Makes sure the message at `seq` is held — a reply's original further up than what is loaded:
   * one history page around it (single shard), kept as its own range; the holes on either side are
   * backfilled as usual. Pages claim only seqs the server had when it read them.
   */
  async loadAround(dialogId: string, seq: number, limit = AROUND_PAGE): Promise<void> {
    const timeline = this.parts.states.timeline(dialogId);
    if (timeline.ranges.has(seq)) return;
    const beforeSeq = seq + Math.floor(limit / 2);
    const page = await this.options.api.history({ dialogId, beforeSeq, limit });
    const oldest = page.messages[0]?.seq ?? seq;
    const through = Math.min(beforeSeq - 1, page.lastSeq);
    const added = timeline.applyPage((page.hasMore ? oldest : 1) - 1, through, page.messages);
    this.parts.states.persist(dialogId, [...added, ...this.flushUpdated(dialogId)]);
  }

  /**
   * The user has seen the dialog up to `seq` (default: all it holds). Reported at most once per
   * markReadDebounceMs per dialog and only forward; resolves once the report covering it was
   * answered (a failure is an `error` event, and the next call with that seq tries again).
   */
  markRead(dialogId: string, seq?: number): Promise<void> {
    return this.parts.reads.report(dialogId, seq ?? this.parts.states.timeline(dialogId).top());
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
    this.parts.presence.watch(userIds);
  }

  /** The newest profile event seen for a user (pushed, or noted from an API read). */
  profile(userId: string): TProfileEvent | undefined {
    return this.parts.profiles.profile(userId);
  }

  /** The newest title / avatar seen for a group. */
  groupInfo(dialogId: string): TGroupInfoEvent | undefined {
    return this.parts.profiles.groupInfo(dialogId);
  }

  /**
   * A profile the app read from the API (user.byIds, dialog.list): held like a push, so a push older
   * than that read, arriving after it, is dropped instead of showing an old name. True when newer.
   */
  noteProfile(profile: Omit<TProfileEvent, "type">): boolean {
    return this.parts.profiles.applyProfile({ type: "profile", ...profile });
  }

  noteGroupInfo(info: Omit<TGroupInfoEvent, "type">): boolean {
    return this.parts.profiles.applyGroupInfo({ type: "groupInfo", ...info });
  }

  /** Resolves when every queued send is acked and no dialog is behind (tests, "all caught up" UIs). */
  async settled(timeoutMs = DEFAULT_SETTLE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy =
        this.parts.queues.pending > 0 ||
        this.parts.dialogSync.busy ||
        this.parts.bigGroups.busy ||
        this.parts.catchUps.busy ||
        this.parts.states.all().some((t) => t.isBehind());
      if (!busy) return;
      if (Date.now() > deadline) throw new Error("engine did not settle");
      await new Promise((resolve) => setTimeout(resolve, SETTLED_POLL_MS));
    }
  }

  /** dialog.changes, then dialog.sync for every dialog that is behind. Single-flight. */
  catchUp(): Promise<void> {
    return this.parts.catchUps.run();
  }

  private onFrame(frame: TServerFrame): void {
    if (frame.type === "error" && frame.code === FRAME_ERROR_CODES.presenceNotAllowed) {
      if (this.parts.presence.onRefused()) return;
    }
    // Only the stream counts as hearing from it: pongs and acks arrive whether or not a push was lost.
    if (frame.type === "resync") {
      this.parts.catchUps.heard();
      void this.catchUp();
      // The gateway may have missed profile pushes too (they are never replayed).
      void this.parts.profileRefresh.run();
      return;
    }
    if (frame.type === "event") {
      this.parts.catchUps.heard();
      applyUserEvent(frame.event, {
        timeline: (dialogId) => this.parts.states.timeline(dialogId),
        onConfirmed: (dialogId, messages) => this.onConfirmed(dialogId, messages),
        gapSeen: (dialogId) => this.parts.gaps.gapSeen(dialogId),
        sync: (dialogId) => void this.parts.dialogSync.sync(dialogId),
        joinBigGroup: (dialogId) => void this.parts.bigGroups.join(dialogId),
        hearsBigDialog: (dialogId) => this.parts.connection.hearsBigDialog(dialogId),
        receipts: this.parts.receipts,
        profiles: this.parts.profiles,
        emit: this.emit,
      });
    }
  }

  /**
   * New rows of a dialog, in seq order. Change rows are not messages: they only update the message
   * they target (`updated`), and count neither as new messages nor for notifications.
   */
  private onConfirmed(dialogId: string, messages: readonly TMessage[]): void {
    const updated = this.parts.states.existing(dialogId)?.takeUpdated() ?? [];
    if (messages.length === 0 && updated.length === 0) return;
    // Updated after added: a message added and then changed in one batch is saved as it is now.
    this.parts.states.persist(dialogId, [...messages, ...updated]);
    for (const message of messages) {
      if (!isChangeRow(message)) this.emit("message", { dialogId, message });
      if (message.senderClientId === this.options.clientId) this.matchOwn(dialogId, message);
    }
    for (const message of updated) this.emit("updated", { dialogId, message });
    if (messages.length > 0) this.parts.delivered.received(dialogId);
  }

  /** Held messages whose state a page changed, announced (the caller persists them). */
  private flushUpdated(dialogId: string): TMessage[] {
    const updated = this.parts.states.existing(dialogId)?.takeUpdated() ?? [];
    for (const message of updated) this.emit("updated", { dialogId, message });
    return updated;
  }

  /** Our own message arrived before its ack (push or sync): show it once, as sent. */
  private matchOwn(dialogId: string, message: TMessage): void {
    const item = this.parts.queues.get(dialogId)?.items.find((i) => i.clientMsgId === message.clientMsgId);
    if (!item) return;
    this.emit("status", {
      dialogId,
      localId: item.localId,
      status: "sent",
      msgId: message.id,
      seq: message.seq,
    });
  }

  private onAck(item: OutgoingItem, ack: SendAck): void {
    this.parts.failedSends.onAck(item, ack);
    this.uploads.forget(item.localId);
    const timeline = this.parts.states.timeline(item.dialogId);
    timeline.serverLastSeq = Math.max(timeline.serverLastSeq, ack.seq);
    this.emit("status", {
      dialogId: item.dialogId,
      localId: item.localId,
      status: "sent",
      msgId: ack.msgId,
      seq: ack.seq,
    });
    if (timeline.isBehind()) this.parts.gaps.ackedAhead(item.dialogId);
  }

  private onFailed(item: OutgoingItem, error: ApiError | unknown): void {
    const apiError = toApiError(error);
    const reason = `${apiError.code}: ${apiError.message}`;
    // A refused change (not allowed, message gone) has no place of its own in the timeline: its
    // message shows the confirmed state again, and the status event says why.
    if (isChangeContent(item.content)) {
      void this.parts.journal.forget(item.localId);
      this.emit("status", {
        dialogId: item.dialogId,
        localId: item.localId,
        status: "failed",
        error: reason,
      });
      return;
    }
    this.parts.failedSends.add(item, reason);
    this.emit("status", { dialogId: item.dialogId, localId: item.localId, status: "failed", error: reason });
  }
}
