import type { TMessage } from "@parley/protocol";
import { type ChatApi, toApiError } from "./api";
import { type BackoffOptions, backoffDelay } from "./backoff";
import type { DialogTimeline } from "./dialog-timeline";
import type { EmitEngineEvent } from "./engine-types";

/** A failing sync of a dialog known to be behind is retried for as long as the engine runs. */
export const SYNC_RETRY_BACKOFF: BackoffOptions = { baseMs: 200, maxMs: 30_000 };
/** Refusals that retrying cannot change (the user left the dialog, it is gone, the input is bad). */
const FINAL_SYNC_ERRORS = new Set(["NOT_FOUND", "FORBIDDEN", "BAD_REQUEST"]);

export type DialogSyncOptions = {
  api: Pick<ChatApi, "sync" | "history">;
  timeline: (dialogId: string) => DialogTimeline;
  /** Messages that became contiguous (in seq order). */
  onConfirmed: (dialogId: string, messages: readonly TMessage[]) => void;
  emit: EmitEngineEvent;
  /** False once the engine stopped: a failing sync stops retrying. */
  isRunning: () => boolean;
  pageSize: number;
  /** Behind by more than this: the newest page first, the hole left for loadOlder. */
  maxCatchUp: number;
  backoff?: BackoffOptions;
};

/**
 * Fills a dialog from what the engine holds to the server's last seq (dialog.sync pages; far
 * behind, dialog.history's newest page first). Single-flight per dialog: a call while one runs
 * makes it read once more, since the server's last seq may have moved past what it asked.
 */
export class DialogSync {
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly resyncWanted = new Set<string>();

  constructor(private readonly options: DialogSyncOptions) {}

  /** Whether any dialog is syncing. */
  get busy(): boolean {
    return this.syncing.size > 0;
  }

  isSyncing(dialogId: string): boolean {
    return this.syncing.has(dialogId);
  }

  /** Resolves when every sync running now has ended. */
  async drain(): Promise<void> {
    await Promise.all([...this.syncing.values()]);
  }

  sync(dialogId: string): Promise<void> {
    const running = this.syncing.get(dialogId);
    if (running) {
      this.resyncWanted.add(dialogId);
      return running;
    }
    const promise = this.run(dialogId).finally(() => this.syncing.delete(dialogId));
    this.syncing.set(dialogId, promise);
    return promise;
  }

  private async run(dialogId: string): Promise<void> {
    const { api, emit } = this.options;
    const timeline = this.options.timeline(dialogId);
    const limit = this.options.pageSize;
    let failures = 0;
    do {
      this.resyncWanted.delete(dialogId);
      try {
        if (timeline.serverLastSeq - timeline.top() > this.options.maxCatchUp) {
          // Far behind: newest page first; the hole stays a range and loadOlder fills it.
          const page = await api.history({ dialogId, beforeSeq: null, limit });
          const from = page.messages[0]?.seq ?? page.lastSeq + 1;
          // lastSeq is read before the page: a message committed in between is in the page.
          const through = Math.max(page.lastSeq, page.messages.at(-1)?.seq ?? 0);
          this.confirm(dialogId, timeline, timeline.applyPage(from - 1, through, page.messages));
        }
        while (timeline.isBehind() || this.resyncWanted.has(dialogId)) {
          this.resyncWanted.delete(dialogId);
          const afterSeq = timeline.top();
          const page = await api.sync({ dialogId, afterSeq, limit });
          const last = page.messages.at(-1)?.seq ?? afterSeq;
          const through = page.hasMore ? last : Math.max(last, page.lastSeq);
          this.confirm(dialogId, timeline, timeline.applyPage(afterSeq, through, page.messages));
          if (!page.hasMore && through <= afterSeq) {
            timeline.serverLastSeq = Math.min(timeline.serverLastSeq, Math.max(page.lastSeq, afterSeq));
            break;
          }
        }
      } catch (error) {
        emit("error", { where: "sync", error });
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
    } while (this.resyncWanted.has(dialogId) && this.options.isRunning());
    emit("dialog", { type: "dialog", dialogId, change: "synced", lastSeq: timeline.top() });
  }

  /** A page applied, then the pushes that waited for it. */
  private confirm(dialogId: string, timeline: DialogTimeline, applied: TMessage[]): void {
    this.options.onConfirmed(dialogId, [...applied, ...timeline.drainEarly()]);
  }
}
