import { describe, expect, test } from "bun:test";
import { ApiError, type SendAck, type SendInput } from "./api";
import { DialogSendQueue, type OutgoingItem } from "./send-queue";

/** A tiny model of the API's Confirm rule: accept clientSeq = last + 1, dedupe by clientMsgId. */
function fakeServer(options: { lastClientSeq?: number; failOnce?: Set<number>; reorder?: boolean } = {}) {
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
});
