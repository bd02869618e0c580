import { describe, expect, test } from "bun:test";
import { ApiError, type SendAck, type SendInput } from "./api";
import { DialogSendQueue, type OutgoingItem } from "./send-queue";

/** A tiny model of the API's Confirm rule: accept clientSeq = last + 1, dedupe by clientMsgId. */
function fakeServer(
  options: {
    lastClientSeq?: number;
    failOnce?: Set<number>;
    reorder?: boolean;
    /** These clientSeqs fail for good (the reconciler gave up): their number is consumed. */
    failForGood?: Set<number>;
    /** These clientSeqs commit, but the first answer is lost (network error). */
    loseAck?: Set<number>;
  } = {},
) {
  let last = options.lastClientSeq ?? 0;
  let seq = 0;
  const byMsgId = new Map<string, SendAck>();
  const refused = new Set<string>();
  const committed: string[] = [];
  const calls: SendInput[] = [];
  const send = async (input: SendInput): Promise<SendAck> => {
    calls.push(input);
    await Bun.sleep(options.reorder ? Math.random() * 5 : 0);
    const known = byMsgId.get(input.clientMsgId);
    if (known) return known;
    if (options.failOnce?.delete(input.clientSeq)) throw new ApiError("INTERNAL_SERVER_ERROR", "boom");
    if (options.failForGood?.delete(input.clientSeq)) {
      last = Math.max(last, input.clientSeq);
      refused.add(input.clientMsgId);
    }
    if (refused.has(input.clientMsgId) || input.clientSeq <= last) {
      refused.add(input.clientMsgId);
      throw new ApiError("PRECONDITION_FAILED", "failed", { expectedClientSeq: last + 1, status: "failed" });
    }
    if (input.clientSeq > last + 1) {
      throw new ApiError("CONFLICT", "ahead", { expectedClientSeq: last + 1, status: "pending" });
    }
    last = input.clientSeq;
    const ack = { msgId: String(++seq + 100), seq, createdAt: Date.now() };
    byMsgId.set(input.clientMsgId, ack);
    committed.push(input.content.kind === "text" ? input.content.text : "");
    if (options.loseAck?.delete(input.clientSeq)) throw new ApiError("NETWORK", "connection reset");
    return ack;
  };
  return { send, committed, calls };
}

function queueWith(server: ReturnType<typeof fakeServer>, nextClientSeq: number | null, window = 4) {
  const acked: OutgoingItem[] = [];
  const failed: OutgoingItem[] = [];
  const queue = new DialogSendQueue("9", nextClientSeq, window, {
    send: server.send,
    onAck: (item) => acked.push(item),
    onFailed: (item) => failed.push(item),
    onClientSeq: () => {},
  });
  return { queue, acked, failed };
}

async function drain(queue: DialogSendQueue) {
  const deadline = Date.now() + 5_000;
  while (queue.pending > 0 && Date.now() < deadline) await Bun.sleep(5);
  expect(queue.pending).toBe(0);
}

const texts = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

describe("DialogSendQueue", () => {
  test("pipelined sends commit in send order even when requests overtake each other", async () => {
    const server = fakeServer({ reorder: true });
    const { queue } = queueWith(server, 1, 8);
    for (const text of texts(30)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(server.committed).toEqual(texts(30));
  });

  test("a transient failure retries with the same clientMsgId and keeps order", async () => {
    const server = fakeServer({ failOnce: new Set([3]) });
    const { queue } = queueWith(server, 1);
    for (const text of texts(6)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(server.committed).toEqual(texts(6));
    const third = server.calls.filter((c) => c.clientSeq === 3);
    expect(new Set(third.map((c) => c.clientMsgId)).size).toBe(1);
  });

  test("lost numbering (server expects 8): renumbers from expectedClientSeq, order kept", async () => {
    const server = fakeServer({ lastClientSeq: 7 });
    const { queue, failed } = queueWith(server, null);
    for (const text of texts(5)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(failed).toEqual([]);
    expect(server.committed).toEqual(texts(5));
  });

  test("numbering ahead of the server (stale checkpoint): CONFLICT leads back to the expected seq", async () => {
    const server = fakeServer({ lastClientSeq: 2 });
    const { queue } = queueWith(server, 10);
    for (const text of texts(4)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(server.committed).toEqual(texts(4));
  });

  test("an 'ahead' answer computed before its predecessor committed is not taken for lost numbering", async () => {
    // The slow server's answer for 2 ("ahead, expected 1") was decided while 1 was still committing,
    // and arrives after 1's ack (one HTTP batch): nothing is wrong with the numbering.
    let last = 0;
    let seq = 0;
    const committed: string[] = [];
    const byMsgId = new Map<string, SendAck>();
    const send = async (input: SendInput): Promise<SendAck> => {
      const known = byMsgId.get(input.clientMsgId);
      if (known) return known;
      if (input.clientSeq <= last)
        throw new ApiError("PRECONDITION_FAILED", "failed", {
          expectedClientSeq: last + 1,
          status: "failed",
        });
      if (input.clientSeq > last + 1) {
        const expectedClientSeq = last + 1;
        await Bun.sleep(40);
        throw new ApiError("CONFLICT", "ahead", { expectedClientSeq, status: "pending" });
      }
      await Bun.sleep(20);
      last = input.clientSeq;
      const ack = { msgId: String(++seq), seq, createdAt: Date.now() };
      byMsgId.set(input.clientMsgId, ack);
      committed.push(input.content.kind === "text" ? input.content.text : "");
      return ack;
    };
    const { queue, failed } = queueWith({ send, committed, calls: [] }, 1, 8);
    for (const text of texts(6)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(failed).toEqual([]);
    expect(committed).toEqual(texts(6));
  });

  test("a hole left by a message refused before it was tried is closed without abandoning a tried one", async () => {
    // m1 is refused by validation (its clientSeq never reaches the server); m2 was already tried
    // under the next number and waits as "ahead". The server would roll a tried message forward
    // once its number comes up, so renumbering m2 under a NEW clientMsgId would commit it twice.
    let last = 0;
    let seq = 0;
    const committed: string[] = [];
    const tried = new Map<string, number>(); // clientMsgId → clientSeq (a pending row)
    const acks = new Map<string, SendAck>();
    const send = async (input: SendInput): Promise<SendAck> => {
      const text = input.content.kind === "text" ? input.content.text : "";
      if (text === "too long") throw new ApiError("BAD_REQUEST", "message too long");
      const known = acks.get(input.clientMsgId);
      if (known) return known;
      tried.set(input.clientMsgId, input.clientSeq); // a pending row takes the newest number
      await Bun.sleep(5);
      if (input.clientSeq <= last)
        throw new ApiError("PRECONDITION_FAILED", "failed", {
          expectedClientSeq: last + 1,
          status: "failed",
        });
      if (input.clientSeq > last + 1)
        throw new ApiError("CONFLICT", "ahead", { expectedClientSeq: last + 1, status: "pending" });
      last = input.clientSeq;
      const ack = { msgId: String(++seq), seq, createdAt: Date.now() };
      acks.set(input.clientMsgId, ack);
      committed.push(text);
      return ack;
    };
    const { queue, failed } = queueWith({ send, committed, calls: [] }, 1, 4);
    for (const text of ["m0", "too long", "m2", "m3"]) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(failed.map((i) => (i.content.kind === "text" ? i.content.text : ""))).toEqual(["too long"]);
    expect(committed).toEqual(["m0", "m2", "m3"]);
    // Every message the server saw tried is committed: none was left behind under an old id.
    const abandoned = [...tried.keys()].filter((id) => !acks.has(id));
    expect(abandoned).toEqual([]);
  });

  test("a refused input (validation) fails that message only", async () => {
    const { queue, failed } = queueWith(
      {
        send: async () => {
          throw new ApiError("BAD_REQUEST", "bad content");
        },
        committed: [],
        calls: [],
      },
      1,
    );
    queue.enqueue({ kind: "text", text: "x" });
    await drain(queue);
    expect(failed.length).toBe(1);
  });

  test("failed for good while later ones in the window committed: fails in place, never resent after them", async () => {
    // clientSeq 3 is tombstoned (its number consumed) while 4 is in the same window and commits.
    const server = fakeServer({ failForGood: new Set([3]) });
    const { queue, failed } = queueWith(server, 1, 4);
    for (const text of texts(6)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(server.committed).toEqual(["m0", "m1", "m3", "m4", "m5"]);
    expect(failed.map((i) => (i.content.kind === "text" ? i.content.text : ""))).toEqual(["m2"]);
  });

  test("a later message with an unknown fate is retried under its own ids before deciding: no duplicate", async () => {
    // 3 fails for good; 4 commits but its ack is lost. Renumbering 4 would commit it twice.
    const server = fakeServer({ failForGood: new Set([3]), loseAck: new Set([4]) });
    const { queue, failed } = queueWith(server, 1, 4);
    for (const text of texts(6)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(server.committed).toEqual(["m0", "m1", "m3", "m4", "m5"]);
    expect(failed.length).toBe(1);
  });

  test("failed for good with nothing later committed: renumbered and resent in order", async () => {
    const server = fakeServer({ failForGood: new Set([3]) });
    const { queue, failed } = queueWith(server, 1, 1);
    for (const text of texts(5)) queue.enqueue({ kind: "text", text });
    await drain(queue);
    expect(failed).toEqual([]);
    expect(server.committed).toEqual(texts(5));
  });

  test("restored items resend with the same clientMsgId and clientSeq: committed ones are not repeated", async () => {
    const server = fakeServer();
    const saved = new Map<string, OutgoingItem>();
    // First run: the answers never come back (stopped mid-flight / API unreachable).
    const first = new DialogSendQueue("9", 1, 4, {
      send: async (input) => {
        if (input.clientSeq <= 2) await server.send(input); // committed, ack lost with the process
        return new Promise<SendAck>(() => {});
      },
      onAck: () => {},
      onFailed: () => {},
      onClientSeq: () => {},
      persist: async (item) => {
        saved.set(item.localId, structuredClone(item));
      },
    });
    for (const text of texts(6)) first.enqueue({ kind: "text", text });
    await Bun.sleep(20);
    first.stop();
    const { queue, failed } = queueWith(server, null, 4);
    queue.restore([...saved.values()]);
    await drain(queue);
    expect(failed).toEqual([]);
    expect(server.committed).toEqual(texts(6));
    const ids = new Set(server.calls.map((c) => c.clientMsgId));
    expect(ids.size).toBe(6);
  });
});
