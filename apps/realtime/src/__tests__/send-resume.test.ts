import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChatApi, createTrpcChatApi, MemoryStore, type SendAck } from "@parley/client";
import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { freePort } from "@parley/testkit/ports";
import { waitUntil } from "@parley/testkit/wait";
import { type Stack, startStack } from "./engine-stack";
import { caughtUp, confirmed, expectSameTimeline, recordEvents } from "./scenario";

/**
 * Pending sends are persisted in the engine's store and resumed on start() with the same
 * clientMsgId/clientSeq: whatever happened to the previous run (API unreachable, stopped with
 * requests in flight whose commits it never heard of), each message lands exactly once, in order.
 */
let nats: NatsProcess;
let stack: Stack;
const suffix = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startStack({ label: "rtresume", apiNatsUrl: nats.url, gatewayNatsUrls: [nats.url] });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
});

describe("the send queue survives a restart", () => {
  test("queued while the API is unreachable, then stopped mid-flight: a new engine over the same store delivers each message once, in order", async () => {
    const [gateway] = stack.gateways as [NonNullable<Stack["gateways"][0]>];
    const kim = await stack.signUp(`kim${suffix}`);
    const lee = await stack.signUp(`lee${suffix}`);
    const { id: dialogId } = (await stack.call(kim, "mutation", "dialog.createGroup", {
      title: "resume",
      memberIds: [lee.userId],
    })) as { id: string };
    const receiver = stack.engine(lee, gateway);
    const events = recordEvents(receiver);
    const ready = caughtUp(receiver);
    await receiver.start();
    await ready;

    const store = new MemoryStore();
    const label = (i: number) => `kim#${i}`;

    // Run 1: the API does not answer at all (nothing listens on its port).
    const deadApi = createTrpcChatApi({
      url: `http://127.0.0.1:${await freePort()}/trpc`,
      session: kim.session,
    });
    const offline = stack.engine(kim, gateway, { api: deadApi, store });
    await offline.start();
    for (let i = 0; i < 5; i++) offline.send(dialogId, label(i));
    await Bun.sleep(300);
    offline.stop();
    expect((await store.loadOutgoing()).length).toBe(5);

    // Run 2: the API answers, but after 3 acks every further answer is lost with the process —
    // the requests reach the API and commit, the engine never hears back and is stopped.
    const realApi = createTrpcChatApi({ url: stack.api.trpcUrl, session: kim.session });
    let acks = 0;
    let lostAnswers = 0;
    const lossyApi: ChatApi = {
      ...realApi,
      async send(input) {
        const ack = await realApi.send(input);
        if (++acks <= 3) return ack;
        lostAnswers++;
        return new Promise<SendAck>(() => {});
      },
    };
    const crashing = stack.engine(kim, gateway, { api: lossyApi, store });
    await crashing.start();
    for (let i = 5; i < 15; i++) crashing.send(dialogId, label(i));
    await waitUntil(() => lostAnswers >= 3, "commits whose answers are lost");
    crashing.stop();
    expect((await store.loadOutgoing()).length).toBeGreaterThan(3);

    // Run 3: a fresh engine over the same store resumes with the same ids.
    const resumed = stack.engine(kim, gateway, { store });
    const resumedReady = caughtUp(resumed);
    await resumed.start();
    await resumedReady;
    const total = 15;
    await waitUntil(
      () => [resumed, receiver].every((e) => confirmed(e, dialogId).length === total),
      "every message on both sides",
    );
    await Promise.all([resumed.settled(), receiver.settled()]);
    expectSameTimeline([receiver, resumed], dialogId, total, [events]);
    const texts = confirmed(receiver, dialogId).map((m) => (m.content.kind === "text" ? m.content.text : ""));
    expect(texts).toEqual(Array.from({ length: total }, (_, i) => label(i)));
    expect(resumed.messages(dialogId).filter((m) => m.seq === null)).toEqual([]);
    expect(await store.loadOutgoing()).toEqual([]);
    // The server holds each exactly once.
    const page = (await stack.call(lee, "query", "dialog.sync", { dialogId, afterSeq: 0, limit: 200 })) as {
      messages: { content: { text?: string } }[];
    };
    expect(page.messages.map((m) => m.content.text)).toEqual(texts);
  }, 60_000);

  test("two tabs of one client, one with stale numbering: its refused sends fail in place, never after their successor", async () => {
    const [gateway] = stack.gateways as [NonNullable<Stack["gateways"][0]>];
    const max = await stack.signUp(`max${suffix}`);
    const ned = await stack.signUp(`ned${suffix}`);
    const { id: dialogId } = (await stack.call(max, "mutation", "dialog.createGroup", {
      title: "tabs",
      memberIds: [ned.userId],
    })) as { id: string };
    const receiver = stack.engine(ned, gateway);
    const ready = caughtUp(receiver);
    await receiver.start();
    await ready;

    // Tab 2 sends first (clientSeq 1): its numbering is known, next is 2.
    const tab2 = stack.engine(max, gateway);
    const tab2Ready = caughtUp(tab2);
    await tab2.start();
    await tab2Ready;
    tab2.send(dialogId, "tab2#0");
    await tab2.settled();
    // Tab 1 of the same client learns the numbering from the server (2..4).
    const tab1 = stack.engine(max, gateway);
    const tab1Ready = caughtUp(tab1);
    await tab1.start();
    await tab1Ready;
    for (let i = 0; i < 3; i++) tab1.send(dialogId, `tab1#${i}`);
    await tab1.settled();
    await waitUntil(() => confirmed(receiver, dialogId).length === 4, "the first four");
    // Tab 2 still believes the next clientSeq is 2. One pipelined window: 2, 3 and 4 are refused
    // for good (taken), 5 commits.
    const localIds = [1, 2, 3, 4].map((i) => tab2.send(dialogId, `tab2#${i}`));
    await waitUntil(() => confirmed(receiver, dialogId).length === 5, "the committed one");
    await tab2.settled();
    const texts = (engine: typeof tab2) =>
      engine
        .messages(dialogId)
        .map((m) => `${m.content.kind === "text" ? m.content.text : ""}${m.status === "failed" ? "!" : ""}`);
    await waitUntil(() => confirmed(tab2, dialogId).length === 5, "tab 2 to hold the committed ones");
    expect(texts(receiver)).toEqual(["tab2#0", "tab1#0", "tab1#1", "tab1#2", "tab2#4"]);
    // Failed in place: after what was committed before them, before their successor.
    expect(texts(tab2)).toEqual([
      "tab2#0",
      "tab1#0",
      "tab1#1",
      "tab1#2",
      "tab2#1!",
      "tab2#2!",
      "tab2#3!",
      "tab2#4",
    ]);

    // The user sends them again: new messages at the end, each once.
    for (const localId of localIds.slice(0, 3)) expect(tab2.retry(dialogId, localId as string)).toBe(true);
    await waitUntil(() => confirmed(receiver, dialogId).length === 8, "the retried ones");
    await tab2.settled();
    expect(texts(receiver)).toEqual([
      "tab2#0",
      "tab1#0",
      "tab1#1",
      "tab1#2",
      "tab2#4",
      "tab2#1",
      "tab2#2",
      "tab2#3",
    ]);
    await waitUntil(() => confirmed(tab2, dialogId).length === 8, "tab 2 to hold the retried ones");
    expect(texts(tab2)).toEqual(texts(receiver));
  }, 60_000);
});
