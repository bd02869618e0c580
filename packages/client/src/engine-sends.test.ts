import "fake-indexeddb/auto";
import { afterEach, describe, expect, test } from "bun:test";
import type { TMessage, TServerFrame } from "@parley/protocol";
import { waitUntil } from "@parley/testkit/wait";
import { ApiError, type ChatApi, type SendAck, type SendInput } from "./api";
import { ChatEngine, type ChatEngineOptions } from "./engine";
import { IndexedDbStore } from "./indexeddb-store";
import { type ChatStore, MemoryStore } from "./store";

/** The gateway side: says hello, then the test never pushes (the engine syncs after acks). */
class QuietSocket {
  static readonly OPEN = 1;
  readyState = 0;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    queueMicrotask(() => {
      this.readyState = QuietSocket.OPEN;
      const hello: TServerFrame = {
        type: "hello",
        connectionId: "c1",
        heartbeatMs: 60_000,
        tokenExpiresAt: Date.now() + 60_000,
      };
      this.onmessage?.({ data: JSON.stringify(hello) });
    });
  }
  send(): void {}
  close(code = 1000, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const DIALOG = "9";
const CLIENT = "10";

/**
 * A model of the API's send path for one client: Confirm accepts clientSeq = last + 1, a clientMsgId
 * is the send-once key (a retry gets the original ack), a failed message's number is consumed.
 */
function fakeChatServer(options: { failForGood?: Set<number> } = {}) {
  let lastClientSeq = 0;
  const timeline: TMessage[] = [];
  const byMsgId = new Map<string, SendAck>();
  const refused = new Set<string>();
  const calls: SendInput[] = [];
  /** While set, send requests reach the server (they commit) but their answers never come back. */
  let blackhole: ((input: SendInput) => boolean) | null = null;
  let unreachable = false;
  const commit = (input: SendInput): SendAck => {
    const known = byMsgId.get(input.clientMsgId);
    if (known) return known;
    if (options.failForGood?.delete(input.clientSeq)) {
      lastClientSeq = Math.max(lastClientSeq, input.clientSeq);
      refused.add(input.clientMsgId);
    }
    if (refused.has(input.clientMsgId) || input.clientSeq <= lastClientSeq) {
      refused.add(input.clientMsgId);
      throw new ApiError("PRECONDITION_FAILED", "failed", {
        status: "failed",
        expectedClientSeq: lastClientSeq + 1,
      });
    }
    if (input.clientSeq > lastClientSeq + 1) {
      throw new ApiError("CONFLICT", "ahead", { status: "pending", expectedClientSeq: lastClientSeq + 1 });
    }
    lastClientSeq = input.clientSeq;
    const seq = timeline.length + 1;
    const message: TMessage = {
      id: String(1000 + seq),
      dialogId: DIALOG,
      seq,
      senderId: "1",
      senderClientId: CLIENT,
      clientMsgId: input.clientMsgId,
      clientSeq: input.clientSeq,
      content: input.content,
      createdAt: seq,
    };
    timeline.push(message);
    const ack = { msgId: message.id, seq, createdAt: seq };
    byMsgId.set(input.clientMsgId, ack);
    return ack;
  };
  const api: ChatApi = {
    realtimeToken: async () => ({ token: "t", expiresAt: Date.now() + 60_000 }),
    send: async (input) => {
      calls.push(input);
      await Bun.sleep(1);
      if (unreachable) throw new ApiError("NETWORK", "fetch failed");
      const ack = commit(input);
      if (blackhole?.(input)) return new Promise<SendAck>(() => {});
      return ack;
    },
    sync: async ({ afterSeq, limit }) => {
      const messages = timeline.filter((m) => m.seq > afterSeq).slice(0, limit);
      return { messages, lastSeq: timeline.length, hasMore: afterSeq + messages.length < timeline.length };
    },
    history: async () => ({ messages: [], lastSeq: timeline.length, hasMore: false }),
    changes: async () => [{ dialogId: DIALOG, lastSeq: timeline.length }],
    markDelivered: async () => {},
    markRead: async () => {},
    typing: async () => {},
  };
  return {
    api,
    timeline,
    calls,
    texts: () => timeline.map((m) => (m.content.kind === "text" ? m.content.text : "")),
    setBlackhole: (fn: ((input: SendInput) => boolean) | null) => {
      blackhole = fn;
    },
    setUnreachable: (value: boolean) => {
      unreachable = value;
    },
  };
}

const engines: ChatEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

function engineOn(api: ChatApi, store: ChatStore, options: Partial<ChatEngineOptions> = {}) {
  const engine = new ChatEngine({
    api,
    store,
    realtimeUrl: "ws://fake/ws",
    userId: "1",
    clientId: CLIENT,
    WebSocketImpl: QuietSocket as unknown as typeof WebSocket,
    sendWindow: 4,
    ...options,
  });
  engines.push(engine);
  return engine;
}

const shown = (engine: ChatEngine) =>
  engine.messages(DIALOG).map((m) => `${m.content.kind === "text" ? m.content.text : ""}:${m.status}`);

const texts = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

describe.each([
  ["memory", () => new MemoryStore()],
  ["IndexedDB", () => new IndexedDbStore(`parley-test-${Math.random()}`)],
] as const)("pending sends survive a restart (%s store)", (_name, makeStore) => {
  test("unreachable API, then stopped mid-flight: a new engine over the same store sends each once, in order", async () => {
    const server = fakeChatServer();
    const store: ChatStore = makeStore();

    // Run 1: the API is unreachable; the sends wait in the queue (and the store).
    server.setUnreachable(true);
    const first = engineOn(server.api, store);
    await first.start();
    for (const text of texts(0, 3)) first.send(DIALOG, text);
    await Bun.sleep(30);
    first.stop();
    expect(server.timeline.length).toBe(0);
    expect((await store.loadOutgoing?.())?.length).toBe(3);

    // Run 2: the API answers, but from the 3rd commit on the answers are lost with the process.
    server.setUnreachable(false);
    server.setBlackhole(() => server.timeline.length >= 3);
    const second = engineOn(server.api, store);
    await second.start();
    for (const text of texts(3, 10)) second.send(DIALOG, text);
    await waitUntil(() => server.timeline.length >= 5, "some commits whose acks are lost");
    second.stop();

    // Run 3: same ids, same clientSeqs: committed ones get their original ack, the rest commit.
    server.setBlackhole(null);
    const third = engineOn(server.api, store);
    await third.start();
    await waitUntil(() => third.dialogs().every((d) => d.pendingSends === 0), "the queue to drain");
    await third.settled();
    expect(server.texts()).toEqual(texts(0, 10));
    expect(shown(third)).toEqual(texts(0, 10).map((t) => `${t}:sent`));
    expect((await store.loadOutgoing?.())?.length ?? 0).toBe(0);
    // Every resend reused a persisted id: 10 distinct clientMsgIds were ever sent.
    expect(new Set(server.calls.map((c) => c.clientMsgId)).size).toBe(10);
  });

  test("sends whose commits were synced before the restart are not resent, and numbering continues after them", async () => {
    const server = fakeChatServer();
    const store: ChatStore = makeStore();
    server.setBlackhole(() => server.timeline.length >= 3);
    const first = engineOn(server.api, store);
    await first.start();
    await waitUntil(() => first.connectionState === "open", "hello");
    for (const text of texts(0, 6)) first.send(DIALOG, text);
    await waitUntil(() => server.timeline.length === 6, "six commits, four of them unacked");
    await first.catchUp(); // the commits arrive by sync: held locally, acks still lost
    await Bun.sleep(20);
    first.stop();

    server.setBlackhole(null);
    const refusals = () => server.calls.length;
    const second = engineOn(server.api, store);
    await second.start();
    const before = refusals();
    for (const text of texts(6, 9)) second.send(DIALOG, text);
    await waitUntil(() => second.dialogs().every((d) => d.pendingSends === 0), "the queue to drain");
    await second.settled();
    expect(server.texts()).toEqual(texts(0, 9));
    // Exactly one request per new message: no refused stale clientSeq, no resend of held ones.
    expect(server.calls.length - before).toBe(3);
    expect(shown(second).filter((m) => m.endsWith(":failed"))).toEqual([]);
  });
});

describe("send() before start() finished loading", () => {
  test("waits for the restored sends: they go first, the new one after, each once", async () => {
    const server = fakeChatServer();
    const store = new MemoryStore();
    server.setUnreachable(true);
    const first = engineOn(server.api, store);
    await first.start();
    for (const text of texts(0, 3)) first.send(DIALOG, text);
    await Bun.sleep(30);
    first.stop();

    server.setUnreachable(false);
    const second = engineOn(server.api, store);
    const starting = second.start();
    second.send(DIALOG, "m3"); // before the store was read
    await starting;
    await waitUntil(() => second.dialogs().every((d) => d.pendingSends === 0), "the queue to drain");
    await second.settled();
    expect(server.texts()).toEqual(texts(0, 4));
  });

  test("a store slow to load checkpoints: the new send is saved meanwhile and still goes after the restored ones", async () => {
    const server = fakeChatServer();
    const store = new MemoryStore();
    server.setUnreachable(true);
    const first = engineOn(server.api, store);
    await first.start();
    for (const text of texts(0, 3)) first.send(DIALOG, text);
    await Bun.sleep(30);
    first.stop();

    server.setUnreachable(false);
    // The outgoing record of the new send lands before the engine reads the outgoing records.
    const slow: ChatStore = Object.assign(Object.create(store) as ChatStore, {
      loadCheckpoints: async () => {
        await Bun.sleep(5);
        return store.loadCheckpoints();
      },
    });
    const second = engineOn(server.api, slow);
    const starting = second.start();
    second.send(DIALOG, "m3");
    await starting;
    await waitUntil(() => second.dialogs().every((d) => d.pendingSends === 0), "the queue to drain");
    await second.settled();
    expect(server.texts()).toEqual(texts(0, 4));
    expect(shown(second)).toEqual(texts(0, 4).map((text) => `${text}:sent`));
  });
});

describe("a send that failed for good while later ones committed", () => {
  test("is shown failed in place (before its later siblings), and retry appends it as a new message", async () => {
    // clientSeq 3 is settled as failed (its number consumed) while 4 and 5 commit in the same window.
    const server = fakeChatServer({ failForGood: new Set([3]) });
    const store = new MemoryStore();
    const engine = engineOn(server.api, store);
    const statuses: string[] = [];
    engine.on("status", ({ status }) => statuses.push(status));
    await engine.start();
    const ids = texts(0, 6).map((text) => engine.send(DIALOG, text));
    await waitUntil(() => engine.dialogs().every((d) => d.pendingSends === 0), "the queue to drain");
    await engine.settled();
    // Never committed out of order; on screen it stays where it was sent.
    expect(server.texts()).toEqual(["m0", "m1", "m3", "m4", "m5"]);
    expect(shown(engine)).toEqual(["m0:sent", "m1:sent", "m2:failed", "m3:sent", "m4:sent", "m5:sent"]);
    expect(statuses).toContain("failed");
    expect(engine.messages(DIALOG)[2]?.error).toContain("PRECONDITION_FAILED");

    // The failed one survives a restart too, still in place.
    engine.stop();
    const again = engineOn(server.api, store);
    await again.start();
    await waitUntil(() => again.messages(DIALOG).length === 6, "the restored timeline");
    expect(shown(again)).toEqual(["m0:sent", "m1:sent", "m2:failed", "m3:sent", "m4:sent", "m5:sent"]);

    // Retry: a new message at the end (it never committed), same local id for the UI.
    expect(again.retry(DIALOG, ids[2] as string)).toBe(true);
    await waitUntil(() => server.timeline.length === 6, "the retried message to commit");
    await waitUntil(
      () => again.messages(DIALOG).length === 6 && again.messages(DIALOG).every((m) => m.seq !== null),
      "the retry to show as sent",
    );
    expect(server.texts()).toEqual(["m0", "m1", "m3", "m4", "m5", "m2"]);
    expect(shown(again)).toEqual(["m0:sent", "m1:sent", "m3:sent", "m4:sent", "m5:sent", "m2:sent"]);
    expect((await store.loadOutgoing()).length).toBe(0);
  });

  test("discard forgets it", async () => {
    const server = fakeChatServer({ failForGood: new Set([2]) });
    const store = new MemoryStore();
    const engine = engineOn(server.api, store);
    await engine.start();
    const ids = texts(0, 4).map((text) => engine.send(DIALOG, text));
    await waitUntil(() => engine.dialogs().every((d) => d.pendingSends === 0), "the queue to drain");
    await engine.settled();
    expect(shown(engine)).toEqual(["m0:sent", "m1:failed", "m2:sent", "m3:sent"]);
    expect(engine.discard(DIALOG, ids[1] as string)).toBe(true);
    expect(shown(engine)).toEqual(["m0:sent", "m2:sent", "m3:sent"]);
    await Bun.sleep(5);
    expect((await store.loadOutgoing()).length).toBe(0);
  });
});

describe("IndexedDbStore", () => {
  test("a version-1 database (before the send queue) gains the outgoing store on open", async () => {
    const name = `parley-v1-${Math.random()}`;
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("checkpoints", { keyPath: "dialogId" });
        request.result.createObjectStore("messages", { keyPath: ["dialogId", "seq"] });
      };
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    const store = new IndexedDbStore(name);
    const record = {
      localId: "l1",
      dialogId: DIALOG,
      clientMsgId: "c1",
      clientSeq: 4,
      content: { kind: "text" as const, text: "hi" },
      createdAt: 1,
      order: 7,
      status: "pending" as const,
    };
    await store.saveOutgoing(record);
    expect(await store.loadOutgoing()).toEqual([record]);
    await store.deleteOutgoing("l1");
    expect(await store.loadOutgoing()).toEqual([]);
  });
});

describe("IndexedDbStore upgrades", () => {
  test("an open store does not block a newer build's upgrade (another tab)", async () => {
    const name = `parley-upgrade-${Math.random()}`;
    const store = new IndexedDbStore(name);
    await store.loadOutgoing();
    const upgraded = await new Promise<string>((resolve) => {
      const request = indexedDB.open(name, 3);
      request.onblocked = () => resolve("blocked");
      request.onsuccess = () => {
        request.result.close();
        resolve("opened");
      };
    });
    expect(upgraded).toBe("opened");
  });
});
