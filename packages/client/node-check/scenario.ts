/**
 * The engine under Node (no Bun APIs, no global WebSocket in Node 20): bundled with
 * `bun build --target=node` and run with `node` by apps/realtime/src/__tests__/node-client.test.ts
 * against a real stack. Two engines (two users) send pipelined series to each other, one drops its
 * socket mid-stream; the script prints one JSON line with what each engine holds, then exits.
 *
 * Input: env PARLEY_NODE_SCENARIO = {trpcUrl, wsUrl, dialogId, perSender, clients: [{name, userId, clientId, session}]}.
 */
import { WebSocket as NodeWebSocket } from "ws";
import { ChatEngine, createTrpcChatApi, MemoryStore } from "../src/index";

type ScenarioClient = {
  name: string;
  userId: string;
  clientId: string;
  session: { accessToken: string; refreshToken: string };
};
type Scenario = {
  trpcUrl: string;
  wsUrl: string;
  dialogId: string;
  perSender: number;
  clients: ScenarioClient[];
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const raw = process.env.PARLEY_NODE_SCENARIO;
  if (!raw) throw new Error("PARLEY_NODE_SCENARIO is not set");
  const scenario = JSON.parse(raw) as Scenario;
  const hadGlobalWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket !== "undefined";
  const errors: string[] = [];
  // Without WebSocketImpl on a runtime that has none, the engine must say what to pass.
  let missingWebSocketError = "";
  try {
    new ChatEngine({
      api: createTrpcChatApi({ url: scenario.trpcUrl }),
      realtimeUrl: scenario.wsUrl,
      userId: "1",
      clientId: "1",
    });
  } catch (error) {
    missingWebSocketError = error instanceof Error ? error.message : String(error);
  }
  const opens = scenario.clients.map(() => 0);
  const engines = scenario.clients.map((client, index) => {
    const engine = new ChatEngine({
      api: createTrpcChatApi({ url: scenario.trpcUrl, session: client.session }),
      realtimeUrl: scenario.wsUrl,
      userId: client.userId,
      clientId: client.clientId,
      store: new MemoryStore(),
      WebSocketImpl: NodeWebSocket as unknown as typeof WebSocket,
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    engine.on("error", ({ where, error }) => errors.push(`${client.name} ${where}: ${String(error)}`));
    engine.on("connection", ({ state }) => {
      if (state === "open") opens[index] = (opens[index] ?? 0) + 1;
    });
    return engine;
  });
  const caughtUp = (engine: ChatEngine) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("engine never caught up under node")), 10_000);
      const off = engine.on("connection", ({ state }) => {
        if (state !== "caught-up") return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  await Promise.all(
    engines.map(async (engine) => {
      const ready = caughtUp(engine);
      await engine.start();
      await ready;
    }),
  );

  const total = scenario.perSender * engines.length;
  const sends = engines.map(async (engine, index) => {
    const name = scenario.clients[index]?.name ?? String(index);
    for (let i = 0; i < scenario.perSender; i++) {
      engine.send(scenario.dialogId, `${name}#${i}`);
      if (i % 5 === 4) await sleep(5);
    }
  });
  // A network cut mid-stream: the engine reconnects (ws) and catches up by itself.
  await sleep(30);
  engines[engines.length - 1]?.dropConnection();
  await Promise.all(sends);
  const deadline = Date.now() + 20_000;
  const held = (engine: ChatEngine) => engine.messages(scenario.dialogId).filter((m) => m.seq !== null);
  while (engines.some((engine) => held(engine).length < total) && Date.now() < deadline) await sleep(25);
  await Promise.all(engines.map((engine) => engine.settled(10_000).catch(() => undefined)));

  const result = {
    runtime: `node ${process.versions.node}`,
    isBun: typeof (globalThis as { Bun?: unknown }).Bun !== "undefined",
    hadGlobalWebSocket,
    missingWebSocketError,
    errors,
    engines: engines.map((engine, index) => ({
      name: scenario.clients[index]?.name,
      state: engine.connectionState,
      opens: opens[index],
      messages: held(engine).map((m) => ({
        seq: m.seq,
        id: m.id,
        text: m.content.kind === "text" ? m.content.text : "",
      })),
      pending: engine.messages(scenario.dialogId).filter((m) => m.seq === null).length,
    })),
  };
  for (const engine of engines) engine.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`node scenario failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
