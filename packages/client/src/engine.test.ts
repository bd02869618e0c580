import { afterEach, describe, expect, test } from "bun:test";
import { engines, FakeSocket, fakeApi, message, seqs, start } from "./testing/fakes";

afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

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
