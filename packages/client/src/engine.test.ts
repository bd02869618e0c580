import { afterEach, describe, expect, test } from "bun:test";
import type { TMessage, TServerFrame } from "@parley/protocol";
import type { ChatApi, SendInput, SyncPage } from "./api";
import { ChatEngine } from "./engine";

/** An in-memory stand-in for the gateway socket: the test pushes frames, the engine reacts. */
class FakeSocket {
  static readonly OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  sent: string[] = [];
  constructor(readonly url: string) {
    FakeSocket.last = this;
    queueMicrotask(() => {
      this.readyState = FakeSocket.OPEN;
      this.push({
        type: "hello",
        connectionId: "c1",
        heartbeatMs: 60_000,
        tokenExpiresAt: Date.now() + 60_000,
      });
    });
  }
  push(frame: TServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1000, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const message = (seq: number): TMessage => ({
  id: String(5000 + seq),
  dialogId: "9",
  seq,
  senderId: "2",
  senderClientId: "3",
  clientMsgId: `c${seq}`,
  clientSeq: seq,
  content: { kind: "text", text: `m${seq}` },
  createdAt: seq,
});

/** The store side of the API: a dialog whose timeline the test grows without pushing. */
function fakeApi(initial: number) {
  const timeline = Array.from({ length: initial }, (_, i) => message(i + 1));
  const calls = { changes: 0, sync: [] as number[] };
  const page = (afterSeq: number, limit: number): SyncPage => {
    const messages = timeline.filter((m) => m.seq > afterSeq).slice(0, limit);
    return { messages, lastSeq: timeline.length, hasMore: afterSeq + messages.length < timeline.length };
  };
  const api: ChatApi = {
    realtimeToken: async () => ({ token: "t", expiresAt: Date.now() + 60_000 }),
    send: async (_input: SendInput) => ({ msgId: "1", seq: 1, createdAt: 1 }),
    sync: async ({ afterSeq, limit }) => {
      calls.sync.push(afterSeq);
      return page(afterSeq, limit);
    },
    history: async ({ beforeSeq, limit }) => {
      const older = timeline.filter((m) => beforeSeq === null || m.seq < beforeSeq).slice(-limit);
      return { messages: older, lastSeq: timeline.length, hasMore: (older[0]?.seq ?? 1) > 1 };
    },
    changes: async () => {
      calls.changes++;
      return [{ dialogId: "9", lastSeq: timeline.length }];
    },
    markDelivered: async () => {},
    markRead: async () => {},
    typing: async () => {},
  };
  return {
    api,
    timeline,
    calls,
    add: (n: number) =>
      timeline.push(...Array.from({ length: n }, (_, i) => message(timeline.length + i + 1))),
  };
}

const engines: ChatEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

function start(api: ChatApi, options: Partial<ConstructorParameters<typeof ChatEngine>[0]> = {}) {
  const engine = new ChatEngine({
    api,
    realtimeUrl: "ws://fake/ws",
    userId: "1",
    clientId: "10",
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    syncPageSize: 5,
    ...options,
  });
  engines.push(engine);
  return engine;
}

const seqs = (engine: ChatEngine) => engine.messages("9").map((m) => m.seq);

describe("ChatEngine (fake socket and API)", () => {
  test("catches up after hello in pages, then applies contiguous pushes", async () => {
    const server = fakeApi(12);
    const engine = start(server.api);
    await engine.start();
    await Bun.sleep(20);
    await engine.settled();
    expect(seqs(engine)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(server.calls.sync).toEqual([0, 5, 10]);
    server.add(1);
    FakeSocket.last?.push({
      type: "event",
      event: { type: "message", dialogId: "9", prevSeq: 12, seq: 13, message: message(13) },
    });
    expect(seqs(engine).at(-1)).toBe(13);
    expect(server.calls.sync.length).toBe(3);
  });

  test("a push after a gap is not applied; the gap is filled from dialog.sync, each message once", async () => {
    const server = fakeApi(3);
    const engine = start(server.api);
    const seen: string[] = [];
    engine.on("message", ({ message: m }) => seen.push(m.id));
    await engine.start();
    await Bun.sleep(20);
    await engine.settled();
    server.add(3);
    FakeSocket.last?.push({
      type: "event",
      event: { type: "message", dialogId: "9", prevSeq: 5, seq: 6, message: message(6) },
    });
    await Bun.sleep(20);
    await engine.settled();
    expect(seqs(engine)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(seen).size).toBe(6);
    expect(seen.length).toBe(6);
  });

  test("a resync frame triggers dialog.changes and fetches what the pushes missed", async () => {
    const server = fakeApi(2);
    const engine = start(server.api);
    await engine.start();
    await Bun.sleep(20);
    await engine.settled();
    server.add(4);
    const before = server.calls.changes;
    FakeSocket.last?.push({ type: "resync", reason: "nats reconnect" });
    await Bun.sleep(20);
    await engine.settled();
    expect(server.calls.changes).toBe(before + 1);
    expect(seqs(engine)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("silence: a client that heard nothing checks dialog.changes by itself", async () => {
    const server = fakeApi(1);
    const engine = start(server.api, { quietCheckMs: 300 });
    await engine.start();
    await Bun.sleep(20);
    await engine.settled();
    server.add(2); // committed, but the push was lost
    const deadline = Date.now() + 8_000;
    while (seqs(engine).length < 3 && Date.now() < deadline) await Bun.sleep(50);
    expect(seqs(engine)).toEqual([1, 2, 3]);
  });

  test("far behind: newest page first, the hole stays a range, loadOlder backfills it", async () => {
    const server = fakeApi(40);
    const engine = start(server.api, { maxCatchUp: 10 });
    await engine.start();
    await Bun.sleep(20);
    await engine.settled();
    expect(seqs(engine)).toEqual([36, 37, 38, 39, 40]);
    expect(engine.holes("9")).toEqual([[1, 35]]);
    await engine.loadOlder("9");
    expect(seqs(engine).slice(0, 5)).toEqual([31, 32, 33, 34, 35]);
    expect(engine.holes("9")).toEqual([[1, 30]]);
  });

  test("a revoked client stops and does not reconnect", async () => {
    const server = fakeApi(0);
    const engine = start(server.api);
    const states: string[] = [];
    engine.on("connection", ({ state }) => states.push(state));
    await engine.start();
    await Bun.sleep(20);
    const socket = FakeSocket.last;
    socket?.close(4003, "client revoked");
    await Bun.sleep(300);
    expect(engine.connectionState).toBe("stopped");
    expect(FakeSocket.last).toBe(socket);
  });
});
