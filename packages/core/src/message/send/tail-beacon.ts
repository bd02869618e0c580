/**
 * Core NATS is at-most-once: a push can be lost with the subscriber's connection still up (the
 * publisher's NATS node died after taking it, a route was down), and then nothing tells the client.
 * A later message of the dialog would (its prevSeq shows the gap), so only a dialog's LAST message is
 * at risk. This process therefore re-publishes the last message it delivered in each dialog once the
 * dialog has been quiet for `tailQuietMs`, and once more `TAIL_REPEAT_MS` later: a client that has
 * it ignores the duplicate, one that lost it sees a gap and syncs. Bound: a lost tail push is found
 * within ~tailQuietMs + TICK_MS (+ TAIL_REPEAT_MS if the first beacon is lost too); the engine's
 * quiet check (60 s without any event) is the last line. Costs one extra publish per dialog per
 * burst, nothing per message in a busy dialog, no database work.
 */
const TAIL_REPEAT_MS = 12_000;
const TICK_MS = 1_000;
/** Dialogs tracked per process; the oldest are dropped first (their tails were announced already). */
const MAX_TRACKED = 100_000;

type Tail = { seq: number; dueAt: number; announced: number; publish: () => void };
/** Tails by dialog, ordered by due time; the timer starts with the first tail noted. */
export type TailBeacon = { tails: Map<string, Tail>; timer: ReturnType<typeof setInterval> | null };

export function createTailBeacon(): TailBeacon {
  return { tails: new Map(), timer: null };
}

/** Called after a message event was published: it is now the tail this process knows for its dialog. */
export function noteTail(
  { tailBeacon: beacon, options }: { tailBeacon: TailBeacon; options: { tailQuietMs: number } },
  dialogId: string,
  seq: number,
  publish: () => void,
): void {
  const { tailQuietMs } = options;
  if (tailQuietMs <= 0) return;
  startTicking(beacon, tailQuietMs);
  const previous = beacon.tails.get(dialogId);
  if (previous && previous.seq > seq) return;
  // Re-inserted at the end: the map stays ordered by due time, so a tick reads only its head.
  beacon.tails.delete(dialogId);
  beacon.tails.set(dialogId, { seq, dueAt: Date.now() + tailQuietMs, announced: 0, publish });
  if (beacon.tails.size > MAX_TRACKED) {
    const oldest = beacon.tails.keys().next();
    if (!oldest.done) beacon.tails.delete(oldest.value);
  }
}

function startTicking(beacon: TailBeacon, tailQuietMs: number): void {
  if (beacon.timer) return;
  const { tails } = beacon;
  beacon.timer = setInterval(() => announceDue(tails), Math.min(TICK_MS, tailQuietMs));
  // A beacon never keeps a process (or a test) alive.
  (beacon.timer as { unref?: () => void }).unref?.();
}

function announceDue(tails: Map<string, Tail>): void {
  const now = Date.now();
  for (const [dialogId, tail] of tails) {
    if (tail.dueAt > now) break;
    tails.delete(dialogId);
    try {
      tail.publish();
    } catch {
      // NATS is away: the gateways send `resync` when they reconnect, which covers this tail too.
    }
    if (++tail.announced < 2) tails.set(dialogId, { ...tail, dueAt: now + TAIL_REPEAT_MS });
  }
}
