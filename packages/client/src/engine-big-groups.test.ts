import { afterEach, describe, expect, test } from "bun:test";
import type { TServerFrame } from "@parley/protocol";
import { waitUntil } from "@parley/testkit/wait";
import { engines, FakeSocket, fakeApi, message, seqs, start } from "./testing/fakes";

afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

/** A started engine on a fake gateway whose tokens are numbered, so the test sees which one went in-band. */
async function startCounting(initial: number) {
  const server = fakeApi(initial);
  let minted = 0;
  server.api.realtimeToken = async () => ({ token: `t${++minted}`, expiresAt: Date.now() + 60_000 });
  return { server, ...(await startOn(server)), minted: () => minted };
}

/** A started, settled engine on this fake API, and the fake gateway socket it opened. */
async function startOn(server: ReturnType<typeof fakeApi>) {
  const engine = start(server.api);
  await engine.start();
  await Bun.sleep(20);
  await engine.settled();
  const socket = FakeSocket.last;
  if (!socket) throw new Error("no socket");
  return { engine, socket };
}

const authFrames = (socket: FakeSocket) =>
  socket.sent
    .map((text) => JSON.parse(text) as { type: string; token?: string })
    .filter((f) => f.type === "auth");

const bigDialog = (change: "joined" | "updated" | "left", lastSeq: number): TServerFrame => ({
  type: "event",
  event: { type: "dialog", dialogId: "9", change, lastSeq, big: true },
});

/** A JWT-shaped token (unsigned: the engine only reads its claims) listing these big dialogs. */
const tokenListing = (dialogIds: string[]) =>
  `e30.${Buffer.from(JSON.stringify({ dlg: dialogIds })).toString("base64url")}.sig`;

describe("ChatEngine and big groups (fake socket and API)", () => {
  test("while the user is in more big groups than its token lists, the engine polls dialog.changes; otherwise not", async () => {
    for (const unlistedBigDialogs of [true, false]) {
      const server = fakeApi(0);
      server.api.realtimeToken = async () => ({
        token: tokenListing(["9"]),
        expiresAt: Date.now() + 60_000,
        unlistedBigDialogs,
      });
      const engine = start(server.api, { unlistedBigDialogsPollMs: 100, quietCheckMs: 60_000 });
      await engine.start();
      await engine.settled();
      const afterHello = server.calls.changes;
      if (unlistedBigDialogs) {
        await waitUntil(() => server.calls.changes - afterHello >= 2, "two polls of dialog.changes");
      } else {
        await Bun.sleep(450); // 4 poll periods: none may ask
        expect(server.calls.changes).toBe(afterHello);
      }
      engine.stop();
    }
  });

  test("an 'updated' for a big dialog the socket already hears refreshes nothing; 'joined' still does", async () => {
    const server = fakeApi(0);
    server.api.realtimeToken = async () => ({ token: tokenListing(["9"]), expiresAt: Date.now() + 60_000 });
    const { socket } = await startOn(server);
    // Every membership change of a big group tells every member "updated": no token per member per change.
    socket.push(bigDialog("updated", 0));
    socket.push(bigDialog("updated", 0));
    await Bun.sleep(50);
    expect(authFrames(socket)).toEqual([]);
    socket.push(bigDialog("joined", 0));
    await waitUntil(() => authFrames(socket).length === 1, "the in-band token after joined");
  });

  for (const change of ["joined", "updated"] as const) {
    test(`a big-group '${change}': a fresh token goes in-band, the dialog syncs only after auth.ok`, async () => {
      const { server, engine, socket, minted } = await startCounting(0);
      server.add(7);
      const syncsBefore = server.calls.sync.length;
      socket.push(bigDialog(change, 7));
      await waitUntil(() => authFrames(socket).length === 1, "the in-band token");
      expect(authFrames(socket)[0]?.token).toBe(`t${minted()}`);
      // Subscribe first, then catch up: nothing is fetched while the gateway has not confirmed.
      await Bun.sleep(50);
      expect(server.calls.sync.length).toBe(syncsBefore);
      expect(seqs(engine)).toEqual([]);

      socket.push({ type: "auth.ok", tokenExpiresAt: Date.now() + 60_000 });
      await waitUntil(() => server.calls.sync.length > syncsBefore, "the sync after auth.ok");
      await engine.settled();
      expect(seqs(engine)).toEqual([1, 2, 3, 4, 5, 6, 7]);

      // Messages from the dialog's topic are plain message events: applied when contiguous, deduped.
      server.add(1);
      const push = { type: "message", dialogId: "9", prevSeq: 7, seq: 8, message: message(8) } as const;
      socket.push({ type: "event", event: push });
      socket.push({ type: "event", event: push });
      expect(seqs(engine)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  }

  test("a refused in-band token still syncs the dialog; 'left' and small groups never refresh", async () => {
    const { server, engine, socket } = await startCounting(0);
    server.add(3);
    socket.push(bigDialog("joined", 3));
    await waitUntil(() => authFrames(socket).length === 1, "the in-band token");
    socket.push({ type: "error", code: "token_invalid", message: "token expired" });
    await engine.settled();
    expect(seqs(engine)).toEqual([1, 2, 3]);

    socket.push(bigDialog("left", 3));
    socket.push({ type: "event", event: { type: "dialog", dialogId: "9", change: "updated", lastSeq: 3 } });
    await Bun.sleep(50);
    expect(authFrames(socket).length).toBe(1);
  });

  test("two big groups joined at once: two refreshes, one after the other, each answered", async () => {
    const { engine, socket, minted } = await startCounting(0);
    const before = minted();
    socket.push(bigDialog("joined", 0));
    socket.push({
      type: "event",
      event: { type: "dialog", dialogId: "10", change: "joined", lastSeq: 0, big: true },
    });
    await waitUntil(() => authFrames(socket).length === 1, "the first token");
    await Bun.sleep(30);
    // The second waits for the first answer: a token is never overtaken by an older one.
    expect(authFrames(socket).length).toBe(1);
    socket.push({ type: "auth.ok", tokenExpiresAt: Date.now() + 60_000 });
    await waitUntil(() => authFrames(socket).length === 2, "the second token");
    expect(minted()).toBe(before + 2);
    socket.push({ type: "auth.ok", tokenExpiresAt: Date.now() + 60_000 });
    await engine.settled();
  });
});
