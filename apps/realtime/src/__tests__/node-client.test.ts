import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { type Stack, startStack } from "./engine-stack";

/**
 * "Runs under Bun, Node and browsers": the engine bundled for Node (`bun build --target=node`) and
 * run by a real `node` (20: no global WebSocket, so it gets the `ws` package) against the real
 * stack — API process, gateway, NATS, MariaDB.
 */
const NODE_BIN = process.env.NODE_BIN ?? "/usr/bin/node";
const SCENARIO = join(
  import.meta.dir,
  "..",
  "..",
  "..",
  "..",
  "packages",
  "client",
  "node-check",
  "scenario.ts",
);

let nats: NatsProcess;
let stack: Stack;
let outDir: string;
const suffix = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  if (!existsSync(NODE_BIN)) throw new Error(`node is required for this test: ${NODE_BIN} does not exist`);
  nats = await startNatsServer();
  stack = await startStack({ label: "rtnode", apiNatsUrl: nats.url, gatewayNatsUrls: [nats.url] });
  outDir = mkdtempSync(join(tmpdir(), "parley-node-check-"));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function runUnderNode(input: unknown): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([NODE_BIN, join(outDir, "scenario.js")], {
    env: { PATH: process.env.PATH ?? "", PARLEY_NODE_SCENARIO: JSON.stringify(input) },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 45_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe("the client engine under Node", () => {
  test("bundled for node and run by node 20 (ws): sends and receives every message once, in order", async () => {
    const build = await Bun.build({
      entrypoints: [SCENARIO],
      target: "node",
      outdir: outDir,
      naming: "scenario.js",
    });
    if (!build.success)
      throw new Error(`bun build --target=node failed: ${build.logs.map(String).join("\n")}`);

    const [gateway] = stack.gateways as [NonNullable<Stack["gateways"][0]>];
    const nora = await stack.signUp(`nora${suffix}`);
    const otto = await stack.signUp(`otto${suffix}`);
    const dialog = (await stack.call(nora, "mutation", "dialog.createGroup", {
      title: "node",
      memberIds: [otto.userId],
    })) as { id: string };
    const perSender = 25;
    const run = await runUnderNode({
      trpcUrl: stack.api.trpcUrl,
      wsUrl: gateway.wsUrl,
      dialogId: dialog.id,
      perSender,
      clients: [nora, otto].map((c) => ({
        name: c.handle,
        userId: c.userId,
        clientId: c.clientId,
        session: c.session,
      })),
    });
    if (run.code !== 0) throw new Error(`node exited with ${run.code}: ${run.stderr}${run.stdout}`);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as {
      runtime: string;
      isBun: boolean;
      hadGlobalWebSocket: boolean;
      missingWebSocketError: string;
      errors: string[];
      engines: {
        name: string;
        state: string;
        opens: number;
        pending: number;
        messages: { seq: number; id: string; text: string }[];
      }[];
    };
    expect(result.runtime).toStartWith("node ");
    expect(result.isBun).toBe(false);
    // Node 20 has no global WebSocket: the engine ran on the ws package, and says so when it is missing.
    expect(result.hadGlobalWebSocket).toBe(false);
    expect(result.missingWebSocketError).toContain("WebSocketImpl");
    // The dropped engine reconnected under node and caught up.
    expect(result.engines.at(-1)?.opens).toBeGreaterThanOrEqual(2);
    const total = perSender * 2;
    const reference = result.engines[0]?.messages.map((m) => m.id) ?? [];
    expect(reference.length).toBe(total);
    for (const engine of result.engines) {
      expect(engine.state).toBe("open");
      expect(engine.pending).toBe(0);
      expect(engine.messages.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(engine.messages.map((m) => m.id)).toEqual(reference);
      for (const name of [nora.handle, otto.handle]) {
        const mine = engine.messages.filter((m) => m.text.startsWith(`${name}#`)).map((m) => m.text);
        expect(mine).toEqual(Array.from({ length: perSender }, (_, i) => `${name}#${i}`));
      }
    }
    // What the server stored agrees with what the Node engines show.
    const page = (await stack.call(otto, "query", "dialog.sync", {
      dialogId: dialog.id,
      afterSeq: 0,
      limit: 200,
    })) as {
      messages: { id: string }[];
    };
    expect(page.messages.map((m) => m.id)).toEqual(reference);
  }, 60_000);
});
