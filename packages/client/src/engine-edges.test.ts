import { afterEach, describe, expect, test } from "bun:test";
import type { TServerFrame } from "@parley/protocol";
import { waitUntil } from "@parley/testkit/wait";
import { ApiError, type ChatApi, type SendAck, type SendInput } from "./api";
import { engines, FakeSocket, fakeApi, message, seqs, start } from "./testing/fakes";

afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

/** The gateway as it is: answers every client ping with a pong, beats fast. */
class PongingSocket extends FakeSocket {
  constructor(url: string) {
    super(url);
    // The first hello (queued by FakeSocket) says 60 s beats; say 30 ms so the engine pings often.
    queueMicrotask(() =>
      this.push({ type: "hello", connectionId: "c2", heartbeatMs: 30, tokenExpiresAt: Date.now() + 60_000 }),
    );
  }
  override send(data: string): void {
    super.send(data);
    const frame = JSON.parse(data) as { type: string; t?: number };
    if (frame.type === "ping")
      queueMicrotask(() => this.push({ type: "pong", t: frame.t ?? 0 } as TServerFrame));
  }
}

const pushOf = (seq: number): TServerFrame => ({
  type: "event",
  event: { type: "message", dialogId: "9", prevSeq: seq - 1, seq, message: message(seq) },
});

describe("ChatEngine at the edges", () => {
  test("a lost tail push is found on a live socket although every ping is answered", async () => {
    const server = fakeApi(1);
    const engine = start(server.api, {
      quietCheckMs: 200,
      WebSocketImpl: PongingSocket as unknown as typeof WebSocket,
    });
    await engine.start();
    await waitUntil(() => seqs(engine).length === 1, "the first message");
    server.add(2); // committed, but the push never came
    await waitUntil(() => seqs(engine).length === 3, "the lost tail found by the quiet check", {
      timeoutMs: 3_000,
    });
    expect(seqs(engine)).toEqual([1, 2, 3]);
  });

  test("a known gap is retried until it is filled, however long sync keeps failing", async () => {
    const server = fakeApi(2);
    let failuresLeft = 0;
    const api: ChatApi = {
      ...server.api,
      sync: async (input) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new ApiError("SERVICE_UNAVAILABLE", "down");
        }
        return server.api.sync(input);
      },
    };
    const engine = start(api, { backoff: { baseMs: 5, maxMs: 20 } });
    await engine.start();
    await waitUntil(() => seqs(engine).length === 2, "the first two messages");
    failuresLeft = 12;
    server.add(1);
    FakeSocket.last?.push(pushOf(4)); // seq 3 missing: a gap the engine knows of
    await waitUntil(() => seqs(engine).length === 4, "the gap filled after 12 failed syncs", {
      timeoutMs: 4_000,
    });
    expect(failuresLeft).toBe(0);
    expect(seqs(engine)).toEqual([1, 2, 3, 4]);
  });

  test("pushes that overtake each other briefly are put back in order without a sync", async () => {
    const server = fakeApi(1);
    const engine = start(server.api);
    await engine.start();
    await waitUntil(() => seqs(engine).length === 1, "the first message");
    await engine.settled();
    const syncsBefore = server.calls.sync.length;
    server.add(2);
    FakeSocket.last?.push(pushOf(3));
    FakeSocket.last?.push(pushOf(2));
    expect(seqs(engine)).toEqual([1, 2, 3]);
    await Bun.sleep(300);
    expect(server.calls.sync.length).toBe(syncsBefore);
  });

  test("a push that stays missing is fetched once, however many later pushes arrive", async () => {
    const server = fakeApi(1);
    const engine = start(server.api);
    await engine.start();
    await waitUntil(() => seqs(engine).length === 1, "the first message");
    await engine.settled();
    const syncsBefore = server.calls.sync.length;
    server.add(6);
    for (let seq = 3; seq <= 7; seq++) FakeSocket.last?.push(pushOf(seq)); // seq 2 was lost
    await waitUntil(() => seqs(engine).length === 7, "seqs 1..7");
    expect(seqs(engine)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(server.calls.sync.length - syncsBefore).toBe(1);
  });

  test("the sender sees its own message once while the ack is still on its way", async () => {
    const server = fakeApi(0);
    const gate: { release: (() => void) | null } = { release: null };
    const api: ChatApi = {
      ...server.api,
      send: async (input: SendInput): Promise<SendAck> => {
        // Committed at seq 1 and pushed to every client of the sender; the answer is slow.
        FakeSocket.last?.push({
          type: "event",
          event: {
            type: "message",
            dialogId: "9",
            prevSeq: 0,
            seq: 1,
            message: {
              ...message(1),
              senderId: "1",
              senderClientId: "10",
              clientMsgId: input.clientMsgId,
              clientSeq: input.clientSeq,
            },
          },
        });
        await new Promise<void>((resolve) => {
          gate.release = resolve;
        });
        return { msgId: message(1).id, seq: 1, createdAt: 1 };
      },
    };
    const engine = start(api);
    await engine.start();
    await waitUntil(() => engine.connectionState === "open", "the socket open");
    engine.send("9", "hello");
    await waitUntil(() => gate.release !== null, "the send held at the API");
    const shown = engine.messages("9");
    expect(shown.map((m) => m.seq)).toEqual([1]);
    expect(shown[0]?.status).toBe("sent");
    gate.release?.();
  });
});

describe("presence watches carry the API's ticket", () => {
  test("a watch asks the API for a ticket and sends it; a refused ticket is fetched once more", async () => {
    const server = fakeApi(0);
    const asked: string[][] = [];
    const api: ChatApi = {
      ...server.api,
      presenceTicket: async ({ userIds }) => {
        asked.push(userIds);
        return { ticket: `t${asked.length}`, expiresAt: Date.now() + 300_000, userIds };
      },
    };
    const engine = start(api);
    await engine.start();
    await waitUntil(() => engine.connectionState === "open", "the socket open");
    engine.watchPresence(["7", "8", "7"]);
    const watches = () =>
      (FakeSocket.last?.sent ?? [])
        .map((data) => JSON.parse(data) as { type: string; ticket?: string })
        .filter((frame) => frame.type === "presence.watch");
    await waitUntil(() => watches().length === 1, "the first presence.watch");
    expect(asked).toEqual([["7", "8"]]);
    expect(watches()[0]).toEqual({ type: "presence.watch", ticket: "t1" });
    FakeSocket.last?.push({
      type: "error",
      code: "presence_not_allowed",
      message: "expired",
    } as TServerFrame);
    await waitUntil(() => watches().length === 2, "the watch sent again with a new ticket");
    expect(watches()[1]).toEqual({ type: "presence.watch", ticket: "t2" });
  });
});
