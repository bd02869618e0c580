import type { Server } from "bun";

/** Extra latency for one request: before it is forwarded, and before its answer is returned. */
export type Delay = { beforeMs: number; afterMs: number };

export type DelayProxy = {
  url: string;
  port: number;
  /** Requests forwarded whose answers have not come back, by whether they carry message.send. */
  inFlight: () => { sends: number; other: number };
  /** Resolves once a message.send request is at the upstream (forwarded, unanswered). */
  nextSendInFlight: () => Promise<void>;
  setDelay: (delay: ((path: string) => Delay | null) | null) => void;
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
 * An HTTP proxy that can make the server behind it slow (per-request latency, both ways, so requests
 * also arrive out of order) and that knows when a send is in flight (to kill the API mid-send). The
 * upstream can move (a restarted API on a new port). An upstream that does not answer is a 502.
 */
export function startDelayProxy(options: { upstream: string; port?: number }): DelayProxy {
  let upstream = options.upstream;
  let delayFor: ((path: string) => Delay | null) | null = null;
  const inFlight = { sends: 0, other: 0 };
  let waiters: (() => void)[] = [];

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    idleTimeout: 120,
    async fetch(req) {
      const url = new URL(req.url);
      const path = url.pathname + url.search;
      const delay = delayFor?.(path) ?? null;
      const isSend = url.pathname.includes("message.send");
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      if (delay && delay.beforeMs > 0) await Bun.sleep(delay.beforeMs);
      const headers = new Headers(req.headers);
      for (const name of HOP_HEADERS) headers.delete(name);
      const counter = isSend ? "sends" : "other";
      inFlight[counter]++;
      if (isSend) {
        const ready = waiters;
        waiters = [];
        for (const resolve of ready) resolve();
      }
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
      } finally {
        inFlight[counter]--;
      }
      if (delay && delay.afterMs > 0) await Bun.sleep(delay.afterMs);
      return answer;
    },
  });
  const port = server.port ?? 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    inFlight: () => ({ ...inFlight }),
    nextSendInFlight: () => new Promise<void>((resolve) => waiters.push(resolve)),
    setDelay(next) {
      delayFor = next;
    },
    setUpstream(origin) {
      upstream = origin;
    },
    stop() {
      for (const resolve of waiters) resolve();
      waiters = [];
      server.stop(true);
    },
  };
}
