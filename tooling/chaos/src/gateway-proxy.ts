import type { Socket, TCPSocketListener } from "bun";
import { concat, headEnd, OPCODE_TEXT, readFrames } from "./ws-frames";

/** A push frame the proxy threw away, for the report. */
export type DroppedFrame = { connection: number; userId: string; clientId: string; text: string };

/** Decides per server→client text frame whether to drop it (true) — at most once per rule. */
export type DropRule = {
  match: (frame: unknown, connection: { userId: string; clientId: string }) => boolean;
  onDrop?: (dropped: DroppedFrame) => void;
};

type Pipe = {
  id: number;
  client: Socket<Pipe>;
  upstream: Socket<undefined> | null;
  /** Client bytes until the upstream socket is open, and the request head until it is complete. */
  requestHead: Uint8Array | null;
  toUpstream: Uint8Array[];
  upstreamQueue: Uint8Array[];
  clientQueue: Uint8Array[];
  /** Server bytes not yet split into whole frames (after the HTTP response head). */
  responseHeadDone: boolean;
  responseBuffer: Uint8Array;
  userId: string;
  clientId: string;
  closed: boolean;
};

export type GatewayProxy = {
  port: number;
  wsUrl: string;
  /** The gateway behind it moved (restart on a new port). New connections go there. */
  setUpstream: (port: number) => void;
  /** Live client connections (upgraded or not). */
  connections: () => { id: number; userId: string; clientId: string }[];
  /** Cuts one connection (both directions, no close frame: the client sees 1006). */
  cut: (id: number) => boolean;
  cutAll: () => number;
  /** Drops the next server→client text frame the rule matches, on any connection; returns a cancel. */
  dropNext: (rule: DropRule) => () => void;
  pendingDrops: () => number;
  stop: () => void;
};

/**
 * A TCP proxy in front of one gateway, so a chaos run can cut single sockets and drop single push
 * frames. It forwards bytes untouched except: the client's upgrade request loses
 * `Sec-WebSocket-Extensions` (no compression, so frames stay readable), and after the server's
 * upgrade response the stream is forwarded in whole WebSocket frames (a dropped frame is a whole frame).
 */
export function startGatewayProxy(upstreamPort: number): GatewayProxy {
  let upstream = upstreamPort;
  let nextId = 1;
  const pipes = new Map<number, Pipe>();
  const drops: DropRule[] = [];

  const write = (socket: Socket<Pipe> | Socket<undefined> | null, queue: Uint8Array[], data: Uint8Array) => {
    if (!socket) return;
    if (queue.length > 0) {
      queue.push(data);
      return;
    }
    const written = socket.write(data);
    if (written < data.length) queue.push(data.subarray(Math.max(0, written)));
  };
  const flush = (socket: Socket<Pipe> | Socket<undefined>, queue: Uint8Array[]) => {
    while (queue.length > 0) {
      const head = queue[0] as Uint8Array;
      const written = socket.write(head);
      if (written < head.length) {
        queue[0] = head.subarray(Math.max(0, written));
        return;
      }
      queue.shift();
    }
  };
  const close = (pipe: Pipe) => {
    if (pipe.closed) return;
    pipe.closed = true;
    pipes.delete(pipe.id);
    pipe.client.terminate();
    pipe.upstream?.terminate();
  };

  const fromServer = (pipe: Pipe, chunk: Uint8Array) => {
    let data = concat(pipe.responseBuffer, chunk);
    if (!pipe.responseHeadDone) {
      const end = headEnd(data);
      if (end < 0) {
        pipe.responseBuffer = data;
        return;
      }
      write(pipe.client, pipe.clientQueue, data.subarray(0, end));
      pipe.responseHeadDone = true;
      data = data.subarray(end);
    }
    const { frames, rest } = readFrames(data);
    pipe.responseBuffer = rest.slice();
    for (const frame of frames) {
      if (drops.length > 0 && frame.fin && frame.opcode === OPCODE_TEXT && !frame.compressed) {
        const text = new TextDecoder().decode(frame.payload);
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {}
        const index = drops.findIndex((rule) => rule.match(parsed, pipe));
        if (index >= 0) {
          const [rule] = drops.splice(index, 1);
          rule?.onDrop?.({ connection: pipe.id, userId: pipe.userId, clientId: pipe.clientId, text });
          continue;
        }
      }
      write(pipe.client, pipe.clientQueue, frame.raw);
    }
  };

  const connectUpstream = async (pipe: Pipe, head: Uint8Array) => {
    try {
      const socket = await Bun.connect<undefined>({
        hostname: "127.0.0.1",
        port: upstream,
        socket: {
          data: (_s, chunk) => fromServer(pipe, chunk),
          drain: (s) => flush(s, pipe.upstreamQueue),
          close: () => close(pipe),
          error: () => close(pipe),
          connectError: () => close(pipe),
        },
      });
      if (pipe.closed) {
        socket.terminate();
        return;
      }
      pipe.upstream = socket;
      write(socket, pipe.upstreamQueue, head);
      for (const chunk of pipe.toUpstream.splice(0)) write(socket, pipe.upstreamQueue, chunk);
    } catch {
      close(pipe);
    }
  };

  const listener: TCPSocketListener<Pipe> = Bun.listen<Pipe>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        const pipe: Pipe = {
          id: nextId++,
          client,
          upstream: null,
          requestHead: new Uint8Array(0),
          toUpstream: [],
          upstreamQueue: [],
          clientQueue: [],
          responseHeadDone: false,
          responseBuffer: new Uint8Array(0),
          userId: "?",
          clientId: "?",
          closed: false,
        };
        client.data = pipe;
        pipes.set(pipe.id, pipe);
      },
      data(client, chunk) {
        const pipe = client.data;
        if (pipe.requestHead !== null) {
          const buffered = concat(pipe.requestHead, chunk);
          const end = headEnd(buffered);
          if (end < 0) {
            pipe.requestHead = buffered;
            return;
          }
          pipe.requestHead = null;
          const head = rewriteRequestHead(pipe, new TextDecoder().decode(buffered.subarray(0, end)));
          if (end < buffered.length) pipe.toUpstream.push(buffered.slice(end));
          void connectUpstream(pipe, new TextEncoder().encode(head));
          return;
        }
        if (pipe.upstream) write(pipe.upstream, pipe.upstreamQueue, chunk.slice());
        else pipe.toUpstream.push(chunk.slice());
      },
      drain: (client) => flush(client, client.data.clientQueue),
      close: (client) => close(client.data),
      error: (client) => close(client.data),
    },
  });

  const port = listener.port;
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    setUpstream(next) {
      upstream = next;
    },
    connections: () => [...pipes.values()].map((p) => ({ id: p.id, userId: p.userId, clientId: p.clientId })),
    cut(id) {
      const pipe = pipes.get(id);
      if (!pipe) return false;
      close(pipe);
      return true;
    },
    cutAll() {
      const all = [...pipes.values()];
      for (const pipe of all) close(pipe);
      return all.length;
    },
    dropNext(rule) {
      drops.push(rule);
      return () => {
        const index = drops.indexOf(rule);
        if (index >= 0) drops.splice(index, 1);
      };
    },
    pendingDrops: () => drops.length,
    stop() {
      drops.length = 0;
      for (const pipe of [...pipes.values()]) close(pipe);
      listener.stop(true);
    },
  };
}

/** Drops Sec-WebSocket-Extensions and learns whose socket this is from the token's (unverified) claims. */
function rewriteRequestHead(pipe: Pipe, head: string): string {
  const lines = head.split("\r\n").filter((line) => !/^sec-websocket-extensions:/i.test(line));
  const token = /[?&]token=([^&\s]+)/.exec(lines[0] ?? "")?.[1];
  if (token) {
    try {
      const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
        sub?: unknown;
        cid?: unknown;
      };
      pipe.userId = String(payload.sub ?? "?");
      pipe.clientId = String(payload.cid ?? "?");
    } catch {}
  }
  return lines.join("\r\n");
}
