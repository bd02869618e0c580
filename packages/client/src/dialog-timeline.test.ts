import { describe, expect, test } from "bun:test";
import type { TMessage, TMessageEvent } from "@parley/protocol";
import { DialogTimeline } from "./dialog-timeline";

const message = (seq: number, id = String(1000 + seq)): TMessage => ({
  id,
  dialogId: "9",
  seq,
  senderId: "1",
  senderClientId: "2",
  clientMsgId: `c${seq}`,
  clientSeq: seq,
  content: { kind: "text", text: `m${seq}` },
  createdAt: seq,
});
const push = (seq: number, prevSeq = seq - 1): TMessageEvent => ({
  type: "message",
  dialogId: "9",
  prevSeq,
  seq,
  message: message(seq),
});

describe("DialogTimeline", () => {
  test("applies contiguous pushes, reports gaps and duplicates", () => {
    const timeline = new DialogTimeline("9");
    expect(timeline.applyPush(push(1))).toBe("applied");
    expect(timeline.applyPush(push(2))).toBe("applied");
    expect(timeline.applyPush(push(2))).toBe("duplicate");
    expect(timeline.applyPush(push(4))).toBe("gap");
    expect(timeline.isBehind()).toBe(true);
    expect(timeline.top()).toBe(2);
    expect(timeline.messages().map((m) => m.seq)).toEqual([1, 2]);
  });

  test("a sync page fills the gap; the late push then counts as a duplicate", () => {
    const timeline = new DialogTimeline("9");
    timeline.applyPush(push(1));
    expect(timeline.applyPush(push(4))).toBe("gap");
    const added = timeline.applyPage(1, 4, [message(3), message(2), message(4)]);
    expect(added.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(timeline.applyPush(push(4))).toBe("duplicate");
    expect(timeline.applyPush(push(5))).toBe("applied");
    expect(timeline.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(timeline.isBehind()).toBe(false);
  });

  test("dedups by id even when a page overlaps what we hold", () => {
    const timeline = new DialogTimeline("9", [[1, 2]], [message(1), message(2)]);
    const added = timeline.applyPage(0, 3, [message(1), message(2), message(3)]);
    expect(added.map((m) => m.seq)).toEqual([3]);
    expect(timeline.size).toBe(3);
  });

  test("newest page first keeps a hole as a range, live pushes continue from the top", () => {
    const timeline = new DialogTimeline("9", [[1, 10]]);
    timeline.applyPage(500, 510, [message(510)]);
    expect(timeline.ranges.holes()).toEqual([[11, 500]]);
    expect(timeline.applyPush(push(511))).toBe("applied");
    expect(timeline.top()).toBe(511);
  });

  test("ignores messages of other dialogs in a page", () => {
    const timeline = new DialogTimeline("9");
    const stray = { ...message(1), dialogId: "10" };
    expect(timeline.applyPage(0, 1, [stray])).toEqual([]);
  });
});
