import { afterAll, describe, expect, test } from "bun:test";
import { waitUntil } from "@parley/testkit/wait";
import { startDelayProxyProcess } from "./delay-proxy-process";
import { startGatewayProxy } from "./gateway-proxy";
import { startDelayProxy } from "./http-delay-proxy";

/** A WebSocket server that sends whatever the client asks for, so the proxy sits between real sockets. */
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req, server) {
    const extensions = req.headers.get("sec-websocket-extensions") ?? "none";
    if (server.upgrade(req, { data: { extensions } })) return;
    return new Response(`${req.method} ${new URL(req.url).pathname} ${req.headers.get("x-test") ?? ""}`);
  },
  websocket: {
    data: {} as { extensions: string },
    open(ws) {
      ws.send(JSON.stringify({ type: "hello", extensions: ws.data.extensions }));
    },
    message(ws, message) {
      const count = Number(message);
      for (let i = 1; i <= count; i++)
        ws.send(JSON.stringify({ type: "event", event: { n: i, pad: "z".repeat(i * 50) } }));
    },
  },
});
afterAll(() => upstream.stop(true));

function connect(url: string) {
  const ws = new WebSocket(url);
  const received: { type: string; extensions?: string; event?: { n: number } }[] = [];
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  ws.addEventListener("message", (e) => received.push(JSON.parse(String(e.data))));
  const opened = new Promise<void>((resolve) => ws.addEventListener("open", () => resolve()));
  return { ws, received, closed, opened };
}

describe("gateway proxy", () => {
  test("drops exactly the one frame a rule matches, strips compression, and cuts a socket", async () => {
    const proxy = startGatewayProxy(upstream.port ?? 0);
    try {
      const client = connect(
        `${proxy.wsUrl}?token=a.${Buffer.from('{"sub":"7","cid":"9"}').toString("base64url")}.c`,
      );
      await client.opened;
      await waitUntil(() => client.received.length === 1, "hello");
      expect(client.received[0]?.extensions).toBe("none");
      expect(proxy.connections()).toEqual([{ id: 1, userId: "7", clientId: "9" }]);
      let dropped = "";
      proxy.dropNext({
        match: (frame) => (frame as { event?: { n?: number } }).event?.n === 2,
        onDrop: (d) => {
          dropped = `${d.clientId}:${d.text.slice(0, 30)}`;
        },
      });
      client.ws.send("5");
      await waitUntil(() => client.received.length === 5, "four events after hello");
      expect(client.received.slice(1).map((m) => m.event?.n)).toEqual([1, 3, 4, 5]);
      expect(dropped).toBe('9:{"type":"event","event":{"n":2');
      expect(proxy.pendingDrops()).toBe(0);
      expect(proxy.cut(1)).toBe(true);
      expect(await client.closed).toBe(1006);
    } finally {
      proxy.stop();
    }
  });

  test("follows a moved upstream for new connections", async () => {
    const proxy = startGatewayProxy(1);
    try {
      const refused = connect(proxy.wsUrl);
      expect(await refused.closed).toBe(1006);
      proxy.setUpstream(upstream.port ?? 0);
      const client = connect(proxy.wsUrl);
      await client.opened;
      await waitUntil(() => client.received.length === 1, "hello through the new upstream");
    } finally {
      proxy.stop();
    }
  });
});

describe("delay proxy", () => {
  test("forwards, delays sends by plan, reports each send it forwards, and answers 502 for a dead upstream", async () => {
    const proxy = startDelayProxy({ upstream: `http://127.0.0.1:${upstream.port}` });
    try {
      proxy.setPlan({ seed: 1, sendBeforeMs: [300, 300], sendAfterMs: [0, 0] });
      const forwarded: number[] = [];
      proxy.onSendForwarded((sends) => forwarded.push(sends));
      const began = Date.now();
      const answer = await fetch(`${proxy.url}/trpc/message.send?batch=1`, {
        method: "POST",
        headers: { "x-test": "yes" },
        body: "{}",
      });
      expect(Date.now() - began).toBeGreaterThanOrEqual(290);
      expect(await answer.text()).toBe("POST /trpc/message.send yes");
      expect(forwarded).toEqual([1]);
      expect(proxy.inFlight()).toEqual({ sends: 0, other: 0 });
      proxy.setUpstream("http://127.0.0.1:1");
      expect((await fetch(`${proxy.url}/x`)).status).toBe(502);
    } finally {
      proxy.stop();
    }
  });

  test("as a process, driven over IPC", async () => {
    const proxy = await startDelayProxyProcess(`http://127.0.0.1:${upstream.port}`);
    try {
      const forwarded = proxy.nextSendInFlight();
      const answer = await fetch(`${proxy.url}/api/trpc/message.send`, { method: "POST", body: "{}" });
      expect(await answer.text()).toBe("POST /api/trpc/message.send ");
      expect(await forwarded).toBe(1);
      proxy.setUpstream("http://127.0.0.1:1");
      // Commands are asynchronous: the next request sees the new upstream soon.
      let status = 0;
      for (let i = 0; i < 50 && status !== 502; i++) {
        status = (await fetch(`${proxy.url}/x`)).status;
        if (status !== 502) await Bun.sleep(20);
      }
      expect(status).toBe(502);
    } finally {
      await proxy.stop();
    }
  });
});
