import { describe, expect, test } from "bun:test";
import type {
  TChangeContent,
  TChangeInput,
  TChangeTarget,
  TMessage,
  TMessageEvent,
  TMessageState,
} from "@parley/protocol";
import { renderTimeline } from "./chat-messages";
import { DialogTimeline } from "./dialog-timeline";
import type { Receipts } from "./receipts";

/**
 * Convergence of the message life cycle in the engine: a small model of the server (it applies each
 * change under "the lock", in seq order, and puts the target's state after it on the change row, as
 * Confirm does), then delivery to clients in many orders — pushes reordered and repeated, sync pages
 * overlapping them, pages read at different moments. Every client must end with the server's state.
 */

type ServerMessage = { row: TMessage; state: TMessageState; reactors: Map<string, string[]> };

class ServerModel {
  readonly rows: TMessage[] = [];
  private readonly messages = new Map<string, ServerMessage>();
  /** The messages' states after each seq: a page "read at" an earlier seq shows those. */
  private readonly snapshots: Map<string, ServerMessage>[] = [new Map()];
  private nextId = 1000;

  send(senderId: string, text: string): string {
    const id = String(this.nextId++);
    const row = this.row(id, senderId, { kind: "text", text });
    this.messages.set(id, { row, state: { version: 0, editedAt: null, reactions: [] }, reactors: new Map() });
    this.snapshot();
    return id;
  }

  change(senderId: string, change: TChangeContent): void {
    const seq = this.rows.length + 1;
    const target = this.messages.get(change.target);
    if (target && target.row.content.kind !== "deleted") {
      if (change.kind === "edit" && target.row.content.kind === "text") {
        target.row = { ...target.row, content: { kind: "text", text: change.text ?? "" } };
        target.state = { ...target.state, editedAt: seq };
      }
      if (change.kind === "delete") {
        target.row = { ...target.row, content: { kind: "deleted" } };
        target.reactors.clear();
        target.state = { ...target.state, editedAt: null };
      }
      if (change.kind === "reaction") {
        const users = (target.reactors.get(change.emoji) ?? []).filter((u) => u !== senderId);
        if (change.on) users.push(senderId);
        if (users.length > 0) target.reactors.set(change.emoji, users);
        else target.reactors.delete(change.emoji);
      }
      const reactions = [...target.reactors].map(([emoji, userIds]) => ({
        emoji,
        count: userIds.length,
        userIds,
      }));
      target.state = { ...target.state, version: seq, reactions };
    }
    const row = this.row(String(this.nextId++), senderId, change);
    if (target) {
      this.rows[row.seq - 1] = {
        ...row,
        target: { id: target.row.id, seq: target.row.seq, content: this.shown(target), state: target.state },
      };
    }
    this.snapshot();
  }

  /** A page as the server reads it now: messages with their current state, change rows with their target now. */
  pageNow(from: number, through: number): TMessage[] {
    return this.pageAt(this.rows.length, from, through);
  }

  /** The same page as it was read when the dialog's last seq was `readAt` (≥ through). */
  pageAt(readAt: number, from: number, through: number): TMessage[] {
    const states = this.snapshots[readAt] ?? this.messages;
    return this.rows.slice(from, through).map((row) => {
      const own = states.get(row.id);
      if (own) return { ...own.row, state: own.state };
      const held = row.target;
      const target = held && states.get(held.id);
      return held && target
        ? { ...row, target: { ...held, content: this.shown(target), state: target.state } }
        : row;
    });
  }

  private snapshot(): void {
    this.snapshots[this.rows.length] = new Map(
      [...this.messages].map(([id, m]) => [id, { ...m, reactors: new Map(m.reactors) }] as const),
    );
  }

  /** What every client must show in the end. */
  truth(): { id: string; content: TMessage["content"]; state: TMessageState }[] {
    return [...this.messages.values()].map((m) => ({ id: m.row.id, content: this.shown(m), state: m.state }));
  }

  private shown(message: ServerMessage): TChangeTarget["content"] {
    return message.row.content as TChangeTarget["content"];
  }

  private row(id: string, senderId: string, content: TMessage["content"]): TMessage {
    const seq = this.rows.length + 1;
    const row: TMessage = {
      id,
      dialogId: "9",
      seq,
      senderId,
      senderClientId: `c${senderId}`,
      clientMsgId: `m${id}`,
      clientSeq: seq,
      content,
      createdAt: seq,
    };
    this.rows.push(row);
    return row;
  }
}

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = ["1", "2", "3"];
const EMOJI = ["👍", "❤️", "🎉"];

function randomHistory(random: () => number, steps: number): ServerModel {
  const server = new ServerModel();
  const sent: { id: string; senderId: string }[] = [];
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  for (let step = 0; step < steps; step++) {
    const user = pick(USERS);
    const roll = random();
    if (sent.length === 0 || roll < 0.3) {
      sent.push({ id: server.send(user, `hello ${step}`), senderId: user });
      continue;
    }
    const target = pick(sent);
    if (roll < 0.5) server.change(target.senderId, { kind: "edit", target: target.id, text: `edit ${step}` });
    else if (roll < 0.58) server.change(target.senderId, { kind: "delete", target: target.id });
    else server.change(user, { kind: "reaction", target: target.id, emoji: pick(EMOJI), on: random() < 0.7 });
  }
  return server;
}

const pushOf = (row: TMessage): TMessageEvent => ({
  type: "message",
  dialogId: "9",
  prevSeq: row.seq - 1,
  seq: row.seq,
  message: row,
});

function shownBy(timeline: DialogTimeline) {
  return timeline.visibleMessages().map((m) => ({
    id: m.id,
    content: m.content,
    state: m.state
      ? { ...m.state, reactions: m.state.reactions.map(({ mine: _mine, ...r }) => r) }
      : { version: 0, editedAt: null, reactions: [] },
  }));
}

describe("message life cycle in the engine", () => {
  test("an edit older than the state held never overwrites it (late or replayed change rows)", () => {
    const server = new ServerModel();
    const id = server.send("1", "first");
    server.change("1", { kind: "edit", target: id, text: "second" });
    server.change("1", { kind: "edit", target: id, text: "third" });
    const [original, edit2, edit3] = server.rows as [TMessage, TMessage, TMessage];
    const timeline = new DialogTimeline("9");
    timeline.applyPage(0, 1, [original]);
    // The newer edit arrives first; the older one fills the hole afterwards (a page read earlier).
    timeline.applyPage(2, 3, [edit3]);
    expect(timeline.applyPage(1, 2, [edit2]).map((m) => m.id)).toEqual([edit2.id]);
    expect(timeline.applyPush(pushOf(edit2))).toBe("duplicate");
    expect(timeline.byId(id)?.content).toEqual({ kind: "text", text: "third" });
    expect(timeline.visibleMessages().map((m) => m.id)).toEqual([id]);
  });

  test("a delete leaves a tombstone in place; a later edit or reaction of it changes nothing", () => {
    const server = new ServerModel();
    const id = server.send("1", "oops");
    server.send("2", "after");
    server.change("1", { kind: "delete", target: id });
    server.change("2", { kind: "reaction", target: id, emoji: "👍", on: true });
    const timeline = new DialogTimeline("9");
    for (const row of server.rows) timeline.applyPush(pushOf(row));
    expect(timeline.visibleMessages().map((m) => m.content.kind)).toEqual(["deleted", "text"]);
    expect(timeline.byId(id)?.state?.reactions).toEqual([]);
    expect(timeline.takeUpdated().map((m) => m.id)).toEqual([id]);
  });

  test("converges to the server's state under reordered, repeated pushes and overlapping pages", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const random = prng(seed);
      const server = randomHistory(random, 40);
      const rows = server.rows;
      const timeline = new DialogTimeline("9", [], [], "1");
      // Pushes: every row once, some twice, shuffled; early ones wait for their gap to close.
      const pushes = rows.flatMap((row) => (random() < 0.3 ? [row, row] : [row]));
      for (let i = pushes.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [pushes[i], pushes[j]] = [pushes[j] as TMessage, pushes[i] as TMessage];
      }
      // Pages read at some moment and answered later (a slow gap fill or history read): their
      // states may be older than what pushes have shown by the time they land.
      const late: { from: number; through: number; page: TMessage[]; after: number }[] = [];
      for (const [index, row] of pushes.entries()) {
        if (random() < 0.15) {
          const from = timeline.top(); // dialog.sync reads from what we hold
          const through = Math.min(rows.length, from + 1 + Math.floor(random() * 10));
          const readAt = through + Math.floor(random() * (rows.length - through + 1));
          late.push({
            from,
            through,
            page: server.pageAt(readAt, from, through),
            after: index + Math.floor(random() * 8),
          });
        }
        for (const page of late.filter((p) => p.after === index))
          timeline.applyPage(page.from, page.through, page.page);
        if (timeline.applyPush(pushOf(row)) === "applied") timeline.drainEarly();
      }
      for (const page of late.filter((p) => p.after >= pushes.length))
        timeline.applyPage(page.from, page.through, page.page);
      timeline.drainEarly();
      // Holes below the top (a push dropped as a gap, then a page past it) are backfilled by history.
      for (const [low, high] of timeline.ranges.holes())
        timeline.applyPage(low - 1, high, server.pageNow(low - 1, high));
      expect({ seed, top: timeline.top() }).toEqual({ seed, top: rows.length });
      expect({ seed, shown: shownBy(timeline) }).toEqual({ seed, shown: server.truth() });
    }
  });

  test("a client that was away catches up from pages only (history newest first, then older)", () => {
    for (let seed = 200; seed <= 260; seed++) {
      const random = prng(seed);
      const server = randomHistory(random, 30);
      const n = server.rows.length;
      const cut = Math.floor(random() * n);
      const timeline = new DialogTimeline("9", [], [], "2");
      timeline.applyPage(cut, n, server.pageNow(cut, n));
      timeline.applyPage(0, cut, server.pageNow(0, cut));
      expect({ seed, shown: shownBy(timeline) }).toEqual({ seed, shown: server.truth() });
    }
  });

  test("'reacted by me' follows my own reaction rows even past the listed reactors", () => {
    const timeline = new DialogTimeline("9", [], [], "7");
    const original: TMessage = {
      id: "50",
      dialogId: "9",
      seq: 1,
      senderId: "1",
      senderClientId: "c1",
      clientMsgId: "a",
      clientSeq: 1,
      content: { kind: "text", text: "hi" },
      createdAt: 1,
    };
    timeline.applyPush(pushOf(original));
    const reaction: TMessage = {
      ...original,
      id: "51",
      seq: 2,
      senderId: "7",
      clientMsgId: "b",
      content: { kind: "reaction", target: "50", emoji: "👍", on: true },
      target: {
        id: "50",
        seq: 1,
        content: original.content as { kind: "text"; text: string },
        // 12 reactors, only the first 10 listed: "7" is not among them.
        state: { version: 2, editedAt: null, reactions: [{ emoji: "👍", count: 12, userIds: ["1", "2"] }] },
      },
    };
    timeline.applyPush(pushOf(reaction));
    expect(timeline.byId("50")?.state?.reactions[0]?.mine).toBe(true);
  });
});

describe("our own changes before the server has them", () => {
  const viewer = { userId: "1", clientId: "c1" };
  const confirmed: TMessage = {
    id: "50",
    dialogId: "9",
    seq: 1,
    senderId: "1",
    senderClientId: "c1",
    clientMsgId: "a",
    clientSeq: 1,
    content: { kind: "text", text: "draft" },
    createdAt: 1,
  };
  const pending = (content: TChangeInput, clientMsgId: string) => ({
    localId: clientMsgId,
    dialogId: "9",
    content,
    clientMsgId,
    clientSeq: 0,
    state: "queued" as const,
    attempts: 0,
    createdAt: 2,
  });
  const receipts = { statusOf: () => "sent" as const } as unknown as Receipts;

  test("show on their message at once (offline too), never as messages of their own", () => {
    const shown = renderTimeline(viewer, {
      confirmed: [confirmed],
      failed: [],
      pending: [
        pending({ kind: "edit", target: "50", text: "final" }, "e1"),
        pending({ kind: "reaction", target: "50", emoji: "👍", on: true }, "r1"),
      ],
      receipts,
    });
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      content: { kind: "text", text: "final" },
      changePending: true,
      reactions: [{ emoji: "👍", count: 1, userIds: ["1"], mine: true }],
    });
    expect(shown[0]?.editedAt).toBeNumber();
    const deleted = renderTimeline(viewer, {
      confirmed: [confirmed],
      failed: [],
      pending: [pending({ kind: "delete", target: "50" }, "d1")],
      receipts,
    });
    expect(deleted[0]?.content).toEqual({ kind: "deleted" });
  });

  test("a reaction already counted by the server is not counted twice while its ack is on its way", () => {
    const reacted: TMessage = {
      ...confirmed,
      state: {
        version: 2,
        editedAt: null,
        reactions: [{ emoji: "👍", count: 1, userIds: ["1"], mine: true }],
      },
    };
    const shown = renderTimeline(viewer, {
      confirmed: [reacted],
      failed: [],
      pending: [pending({ kind: "reaction", target: "50", emoji: "👍", on: true }, "r1")],
      receipts,
    });
    expect(shown[0]?.reactions).toEqual([{ emoji: "👍", count: 1, userIds: ["1"], mine: true }]);
  });
});
