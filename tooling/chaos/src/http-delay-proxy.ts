import type { Server } from "bun";
import { z } from "zod";
import { createRng } from "./prng";

const ZRange = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

/**
 * How slow the server behind the proxy looks: per request a delay drawn from [min, max] ms before it
 * is forwarded and before its answer returns (so requests also overtake each other). Data, not
 * functions, so a proxy in another process can be told.
 */
export const ZDelayPlan = z.object({
  seed: z.number().int(),
  sendBeforeMs: ZRange,
  sendAfterMs: ZRange,
  otherBeforeMs: ZRange.default([0, 0]),
});
export type DelayPlan = z.input<typeof ZDelayPlan>;

export type DelayProxy = {
  url: string;
  port: number;
  /** Requests inside the proxy (delayed, forwarded or answering), by whether they carry message.send. */
  inFlight: () => { sends: number; other: number };
  /** Called whenever a message.send request reaches the upstream. */
  onSendForwarded: (listener: (sendsInFlight: number) => void) => void;
  setPlan: (plan: DelayPlan | null) => void;
  setUpstream: (origin: string) => void;
  stop: () => void;
};

const HOP_HEADERS = [
  "host",
  "connection",
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "keep-alive",
];

/**
 * An HTTP proxy that can make the server behind it slow and that knows when a send is in flight (to
 * kill the API mid-send). The upstream can move (a restarted API). An upstream that does not answer
 * is a 502. Run it in a process of its own when many clients go through it: Bun's fetch has one
 * connection pool per process, and clients holding it all would starve the proxy's own forwards.
 */
export function startDelayProxy(options: { upstream: string; port?: number }): DelayProxy {
  let upstream = options.upstream;
  let plan: { parsed: z.output<typeof ZDelayPlan>; rng: ReturnType<typeof createRng> } | null = null;
  const inFlight = { sends: 0, other: 0 };
  const listeners: ((sends: number) => void)[] = [];
  const draw = ([min, max]: [number, number]) => (plan ? plan.rng.int(min, Math.max(min, max)) : 0);

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    idleTimeout: 120,
    async fetch(req) {
      const url = new URL(req.url);
      const path = url.pathname + url.search;
      const isSend = url.pathname.includes("message.send");
      const current = plan?.parsed;
      const beforeMs = current ? draw(isSend ? current.sendBeforeMs : current.otherBeforeMs) : 0;
      const afterMs = current && isSend ? draw(current.sendAfterMs) : 0;
      const counter = isSend ? "sends" : "other";
      inFlight[counter]++;
      try {
        const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
        if (beforeMs > 0) await Bun.sleep(beforeMs);
        const headers = new Headers(req.headers);
        for (const name of HOP_HEADERS) headers.delete(name);
        if (isSend) for (const listener of listeners) listener(inFlight.sends);
        let answer: Response;
        try {
          const response = await fetch(upstream + path, {
            method: req.method,
            headers,
            body,
            redirect: "manual",
          });
          const responseHeaders = new Headers(response.headers);
          for (const name of HOP_HEADERS) responseHeaders.delete(name);
          answer = new Response(await response.arrayBuffer(), {
            status: response.status,
            statusText: response.statusText,
            headers: responseHeaders,
          });
        } catch (error) {
          answer = new Response(`upstream unreachable: ${String(error)}`, { status: 502 });
        }
        if (afterMs > 0) await Bun.sleep(afterMs);
        return answer;
      } finally {
        inFlight[counter]--;
      }
    },
  });
  const port = server.port ?? 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    inFlight: () => ({ ...inFlight }),
    onSendForwarded: (listener) => listeners.push(listener),
    setPlan(next) {
      plan = next === null ? null : { parsed: ZDelayPlan.parse(next), rng: createRng(next.seed) };
    },
    setUpstream(origin) {
      upstream = origin;
    },
    stop() {
      server.stop(true);
    },
  };
}
