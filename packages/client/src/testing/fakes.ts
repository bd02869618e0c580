import type { TMessage, TServerFrame } from "@parley/protocol";
import type { ChatApi, SendInput, SyncPage } from "../api";
import { ChatEngine } from "../engine";

/** An in-memory stand-in for the gateway socket: the test pushes frames, the engine reacts. */
export class FakeSocket {
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

export const message = (seq: number): TMessage => ({
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
export function fakeApi(initial: number) {
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

/** Engines made by `start`: each test file stops them in its afterEach. */
export const engines: ChatEngine[] = [];

export function start(api: ChatApi, options: Partial<ConstructorParameters<typeof ChatEngine>[0]> = {}) {
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

export const seqs = (engine: ChatEngine) => engine.messages("9").map((m) => m.seq);
