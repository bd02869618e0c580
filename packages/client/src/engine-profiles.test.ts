import { afterEach, describe, expect, test } from "bun:test";
import type { TGroupInfoEvent, TProfileEvent, TServerFrame } from "@parley/protocol";
import type { EngineEvents } from "./engine-types";
import { engines, FakeSocket, fakeApi, start } from "./testing/fakes";

afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

const profile = (version: number, displayName: string): TProfileEvent => ({
  type: "profile",
  userId: "7",
  displayName,
  avatarUrl: null,
  version,
});

const groupInfo = (version: number, title: string): TGroupInfoEvent => ({
  type: "groupInfo",
  dialogId: "9",
  title,
  avatarUrl: null,
  version,
  byUserId: "7",
});

const frame = (event: TProfileEvent | TGroupInfoEvent): TServerFrame => ({ type: "event", event });

async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await Bun.sleep(5);
}

async function liveEngine() {
  const engine = start(fakeApi(0).api);
  await engine.start();
  await until(() => engine.connectionState === "open");
  const socket = FakeSocket.last;
  if (!socket) throw new Error("no socket");
  return { engine, socket };
}

describe("profile and group-info events", () => {
  test("reordered and repeated profile pushes end on the newest name, announced once each", async () => {
    const { engine, socket } = await liveEngine();
    const seen: EngineEvents["profile"][] = [];
    engine.on("profile", (event) => seen.push(event));
    // Version 3 overtakes 2; 2 and a repeat of 3 then arrive late.
    socket.push(frame(profile(1, "Ann")));
    socket.push(frame(profile(3, "Annie")));
    socket.push(frame(profile(2, "Anna")));
    socket.push(frame(profile(3, "Annie")));
    await until(() => seen.length >= 2);
    await Bun.sleep(20);
    expect(seen.map((event) => event.displayName)).toEqual(["Ann", "Annie"]);
    expect(engine.profile("7")?.displayName).toBe("Annie");
  });

  test("a push older than what an API read answered is dropped", async () => {
    const { engine, socket } = await liveEngine();
    const seen: EngineEvents["profile"][] = [];
    engine.on("profile", (event) => seen.push(event));
    expect(engine.noteProfile({ userId: "7", displayName: "Bea", avatarUrl: null, version: 5 })).toBe(true);
    socket.push(frame(profile(4, "Old name")));
    socket.push(frame(profile(6, "Beatrice")));
    await until(() => seen.length >= 1);
    await Bun.sleep(20);
    expect(seen.map((event) => event.displayName)).toEqual(["Beatrice"]);
    expect(engine.profile("7")?.version).toBe(6);
  });

  test("group renames converge the same way, per dialog", async () => {
    const { engine, socket } = await liveEngine();
    const seen: string[] = [];
    engine.on("groupInfo", (event) => seen.push(event.title));
    socket.push(frame(groupInfo(2, "Second")));
    socket.push(frame(groupInfo(1, "First")));
    socket.push(frame(groupInfo(2, "Second")));
    socket.push(frame({ ...groupInfo(1, "Other dialog"), dialogId: "10" }));
    await until(() => seen.length >= 2);
    await Bun.sleep(20);
    expect(seen).toEqual(["Second", "Other dialog"]);
    expect(engine.groupInfo("9")?.title).toBe("Second");
    expect(engine.groupInfo("10")?.title).toBe("Other dialog");
  });
});

describe("profiles after a reconnect", () => {
  test("a rename pushed while the socket was down is read again on reconnect and announced once", async () => {
    const server = fakeApi(0);
    let current = { id: "7", displayName: "Ann", avatarUrl: null as string | null, version: 1 };
    const asked: string[][] = [];
    const engine = start({
      ...server.api,
      profiles: async ({ ids }) => {
        asked.push(ids);
        return ids.includes(current.id) ? [current] : [];
      },
    });
    await engine.start();
    await until(() => engine.connectionState === "open");
    const seen: string[] = [];
    engine.on("profile", (event) => seen.push(`${event.displayName}@${event.version}`));
    FakeSocket.last?.push(frame(profile(1, "Ann")));
    await until(() => seen.length === 1);
    // Renamed twice while this client is away: the pushes are lost.
    engine.dropConnection();
    current = { ...current, displayName: "Annabel", version: 3 };
    await until(() => seen.length === 2, 5_000);
    expect(seen).toEqual(["Ann@1", "Annabel@3"]);
    expect(asked.at(-1)).toEqual(["7"]);
    // The push of version 2 arriving late changes nothing.
    FakeSocket.last?.push(frame(profile(2, "Anna")));
    await Bun.sleep(30);
    expect(engine.profile("7")?.displayName).toBe("Annabel");
    expect(seen).toHaveLength(2);
  });
});

test("a resync frame (the gateway may have missed pushes) reads held profiles again", async () => {
  const server = fakeApi(0);
  let calls = 0;
  const engine = start({
    ...server.api,
    profiles: async () => {
      calls++;
      return [{ id: "7", displayName: "Ann B", avatarUrl: null, version: 2 }];
    },
  });
  await engine.start();
  await until(() => engine.connectionState === "open");
  engine.noteProfile({ userId: "7", displayName: "Ann", avatarUrl: null, version: 1 });
  FakeSocket.last?.push({ type: "resync", reason: "nats_reconnect" });
  await until(() => engine.profile("7")?.version === 2);
  expect(calls).toBe(1);
  expect(engine.profile("7")?.displayName).toBe("Ann B");
});

test("a catch-up reads again only the held groups whose title version dialog.changes shows newer", async () => {
  const server = fakeApi(0);
  let version = 1;
  const asked: string[] = [];
  const engine = start({
    ...server.api,
    changes: async () => [
      { dialogId: "9", lastSeq: 0, profileVersion: version },
      { dialogId: "11", lastSeq: 0, profileVersion: 5 },
    ],
    groupInfo: async ({ dialogId }) => {
      asked.push(dialogId);
      return { title: "Team B", avatarUrl: null, profileVersion: version };
    },
  });
  await engine.start();
  await until(() => engine.connectionState === "open");
  engine.noteGroupInfo({ dialogId: "9", title: "Team", avatarUrl: null, version: 1, byUserId: "7" });
  const seen: string[] = [];
  engine.on("groupInfo", (event) => seen.push(`${event.title}@${event.version}`));
  await engine.catchUp();
  expect(asked).toEqual([]);
  // Renamed, its push lost (or never published): the next catch-up notices the version.
  version = 2;
  FakeSocket.last?.push({ type: "resync", reason: "nats_reconnect" });
  await until(() => engine.groupInfo("9")?.version === 2);
  expect(engine.groupInfo("9")?.title).toBe("Team B");
  expect(seen).toEqual(["Team B@2"]);
  // Dialog 11's title is not held by this engine: not read.
  expect(asked).toEqual(["9"]);
});
