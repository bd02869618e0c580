import type { ChatApi } from "./api";
import type { DialogSync } from "./dialog-sync";
import type { DialogTimeline } from "./dialog-timeline";
import type { EmitEngineEvent } from "./engine-types";
import type { GroupInfoRefresh } from "./group-info-refresh";

/** A failed catch-up is tried again after this long (for as long as the connection is not stopped). */
export const CATCH_UP_RETRY_MS = 1_000;
/** The quiet check looks at least this often (whatever the quiet and poll periods are). */
export const QUIET_TICK_MAX_MS = 5_000;

export type CatchUpOptions = {
  api: Pick<ChatApi, "changes">;
  timeline: (dialogId: string) => DialogTimeline;
  dialogSync: DialogSync;
  /** Reads again the held group titles whose version dialog.changes shows newer. */
  groupInfos: GroupInfoRefresh;
  emit: EmitEngineEvent;
  /** False before start() and once the connection stopped: a failed catch-up is not retried. */
  mayRetry: () => boolean;
  /** Whether the last realtime token left some of the user's big groups unlisted (no pushes). */
  hasUnlistedBigDialogs: () => boolean;
  /** Heard nothing from the stream for this long: catch up (lost pushes, silent NATS failures). */
  quietCheckMs: number;
  /** While some big groups are unlisted: catch up this often. */
  unlistedPollMs: number;
};

/**
 * Catch-up: dialog.changes, then a sync of every dialog that is behind. Runs on every hello (after
 * the gateway subscribed: subscribe first, then catch up), on a resync frame, after a long silence
 * and, while big groups are unlisted in the token, on a poll. Single-flight: a call while one runs
 * makes it run once more.
 */
export class CatchUp {
  private running: Promise<void> | null = null;
  private again = false;
  private lastHeardAt = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: CatchUpOptions) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** The stream spoke (an event or a resync): the quiet check counts from now. */
  heard(): void {
    this.lastHeardAt = Date.now();
  }

  /** Starts the quiet check and the unlisted-big-groups poll. */
  startTimer(): void {
    const { quietCheckMs, unlistedPollMs } = this.options;
    let lastPollAt = Date.now();
    this.timer = setInterval(
      () => {
        const now = Date.now();
        const quiet = now - this.lastHeardAt >= quietCheckMs;
        const poll = this.options.hasUnlistedBigDialogs() && now - lastPollAt >= unlistedPollMs;
        if (!quiet && !poll) return;
        this.lastHeardAt = now;
        lastPollAt = now;
        void this.run();
      },
      Math.min(quietCheckMs, unlistedPollMs, QUIET_TICK_MAX_MS),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    const { api, dialogSync, emit } = this.options;
    do {
      this.again = false;
      try {
        const changes = await api.changes();
        for (const change of changes) {
          const timeline = this.options.timeline(change.dialogId);
          timeline.serverLastSeq = Math.max(timeline.serverLastSeq, change.lastSeq);
          if (timeline.isBehind()) void dialogSync.sync(change.dialogId);
        }
        await Promise.all([dialogSync.drain(), this.options.groupInfos.check(changes)]);
        emit("connection", { state: "caught-up" });
      } catch (error) {
        emit("error", { where: "catch-up", error });
        await new Promise((resolve) => setTimeout(resolve, CATCH_UP_RETRY_MS));
        this.again = true;
      }
    } while (this.again && this.options.mayRetry());
  }
}
