/** Inclusive [from, to] runs of seqs a client holds for one dialog, sorted and disjoint. */
export type SeqRange = [from: number, to: number];

/**
 * A dialog's checkpoint is a set of ranges, not one number: a client away for long loads the newest
 * page first and backfills older pages lazily, so it may hold [1..40] and [900..950] at once.
 */
export class SeqRanges {
  private ranges: SeqRange[];

  constructor(ranges: readonly SeqRange[] = []) {
    this.ranges = [];
    for (const [from, to] of ranges) this.add(from, to);
  }

  add(from: number, to: number): void {
    if (to < from) return;
    const next: SeqRange[] = [];
    let merged: SeqRange = [from, to];
    let placed = false;
    for (const range of this.ranges) {
      if (range[1] + 1 < merged[0]) {
        next.push(range);
      } else if (merged[1] + 1 < range[0]) {
        if (!placed) {
          next.push(merged);
          placed = true;
        }
        next.push(range);
      } else {
        merged = [Math.min(range[0], merged[0]), Math.max(range[1], merged[1])];
      }
    }
    if (!placed) next.push(merged);
    this.ranges = next;
  }

  has(seq: number): boolean {
    for (const [from, to] of this.ranges) {
      if (seq < from) return false;
      if (seq <= to) return true;
    }
    return false;
  }

  /** The newest seq held (0 when nothing): live pushes must continue from here. */
  top(): number {
    const last = this.ranges[this.ranges.length - 1];
    return last ? last[1] : 0;
  }

  /** Holes between `floor` and top(), oldest first — what lazy backfill would fetch. */
  holes(floor = 1): SeqRange[] {
    const holes: SeqRange[] = [];
    let expected = floor;
    for (const [from, to] of this.ranges) {
      if (to < expected) continue;
      if (from > expected) holes.push([expected, from - 1]);
      expected = to + 1;
    }
    return holes;
  }

  toJSON(): SeqRange[] {
    return this.ranges.map(([from, to]) => [from, to]);
  }
}
