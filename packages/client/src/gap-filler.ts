import type { DialogSync } from "./dialog-sync";
import type { DialogTimeline } from "./dialog-timeline";

/**
 * A push that arrives ahead of a missing one waits this long for it before the engine fetches the
 * gap: concurrent sends of one dialog are published in commit order only approximately, and a sync
 * per inversion from every member was most of a busy group's load.
 */
export const GAP_WAIT_MS = 150;
/** An ack past what the engine holds waits this long for its push before the engine syncs. */
export const ACK_PUSH_WAIT_MS = 250;

/**
 * Decides when a known gap is worth a fetch. The missing push usually arrives a moment later, so
 * each gap gets a short wait; a sync already running reads up to the server's last seq, which the
 * push that revealed the gap raised, so it covers the gap too.
 */
export class GapFiller {
  private readonly gapTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly ackTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly dialogSync: DialogSync,
    private readonly timeline: (dialogId: string) => DialogTimeline,
  ) {}

  /** A push arrived ahead of a missing one: one fetch per gap, after GAP_WAIT_MS. */
  gapSeen(dialogId: string): void {
    if (this.gapTimers.has(dialogId) || this.dialogSync.isSyncing(dialogId)) return;
    this.gapTimers.set(
      dialogId,
      setTimeout(() => {
        this.gapTimers.delete(dialogId);
        if (this.timeline(dialogId).isBehind()) void this.dialogSync.sync(dialogId);
      }, GAP_WAIT_MS),
    );
  }

  /** An ack says the server is past what the engine holds: the push normally lands first; if it was lost, sync. */
  ackedAhead(dialogId: string): void {
    const timer = setTimeout(() => {
      this.ackTimers.delete(timer);
      if (this.timeline(dialogId).isBehind() && !this.dialogSync.isSyncing(dialogId)) {
        void this.dialogSync.sync(dialogId);
      }
    }, ACK_PUSH_WAIT_MS);
    this.ackTimers.add(timer);
  }

  stop(): void {
    for (const timer of this.gapTimers.values()) clearTimeout(timer);
    this.gapTimers.clear();
    for (const timer of this.ackTimers) clearTimeout(timer);
    this.ackTimers.clear();
  }
}
