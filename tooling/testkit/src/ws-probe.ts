import type { TServerFrame } from "@parley/protocol";

/** A raw WebSocket that records frames and the close code, for gateway-level tests. */
export type WsProbe = {
  ws: WebSocket;
  frames: TServerFrame[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  waitFor: (predicate: (frame: TServerFrame) => boolean, timeoutMs?: number) => Promise<TServerFrame>;
  send: (data: unknown) => void;
};

export function openProbe(url: string): WsProbe {
  const ws = new WebSocket(url);
  const frames: TServerFrame[] = [];
  const listeners = new Set<() => void>();
  ws.onmessage = (event) => {
    frames.push(JSON.parse(String(event.data)) as TServerFrame);
    for (const listener of listeners) listener();
  };
  const opened = new Promise<void>((resolve) => ws.addEventListener("open", () => resolve(), { once: true }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }), {
      once: true,
    }),
  );
  const waitFor = (predicate: (frame: TServerFrame) => boolean, timeoutMs = 5_000) =>
    new Promise<TServerFrame>((resolve, reject) => {
      const check = () => {
        const found = frames.find(predicate);
        if (!found) return false;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(`frame not seen within ${timeoutMs} ms; got ${JSON.stringify(frames).slice(0, 500)}`),
        );
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return {
    ws,
    frames,
    opened,
    closed,
    waitFor,
    send: (data) => ws.send(typeof data === "string" ? data : JSON.stringify(data)),
  };
}
