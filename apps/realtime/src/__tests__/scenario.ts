import { expect } from "bun:test";
import type { ChatEngine } from "@parley/client";

export const confirmed = (engine: ChatEngine, dialogId: string) =>
  engine.messages(dialogId).filter((m) => m.seq !== null);

/** Counts `message` events per engine and dialog: each message must surface exactly once. */
export function recordEvents(engine: ChatEngine): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  engine.on("message", ({ dialogId, message }) => {
    const list = seen.get(dialogId) ?? [];
    list.push(message.id);
    seen.set(dialogId, list);
  });
  return seen;
}

/** Waits until the engine has the connection open (hello seen and first catch-up done). */
export function caughtUp(engine: ChatEngine, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("engine never caught up")), timeoutMs);
    const off = engine.on("connection", ({ state }) => {
      if (state !== "caught-up") return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/**
 * The invariant of the issue: every engine holds every message exactly once, the same seq order
 * everywhere (1..total, same ids), and each sender's messages in the order it sent them.
 */
export function expectSameTimeline(
  engines: ChatEngine[],
  dialogId: string,
  total: number,
  events?: Map<string, string[]>[],
): void {
  const reference = confirmed(engines[0] as ChatEngine, dialogId).map((m) => m.id);
  expect(reference.length).toBe(total);
  for (const engine of engines) {
    const messages = confirmed(engine, dialogId);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(messages.map((m) => m.id)).toEqual(reference);
    const bySender = new Map<string, number[]>();
    for (const message of messages) {
      const text = message.content.kind === "text" ? message.content.text : "";
      const [sender, index] = text.split("#");
      const list = bySender.get(sender ?? "") ?? [];
      list.push(Number(index));
      bySender.set(sender ?? "", list);
    }
    for (const list of bySender.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  }
  for (const seen of events ?? []) {
    const ids = seen.get(dialogId) ?? [];
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
  }
}

/** Sends `count` messages "<label>#<i>" through the engine's queue, spaced by `gapMs`. */
export async function sendSeries(
  engine: ChatEngine,
  dialogId: string,
  label: string,
  count: number,
  gapMs = 0,
) {
  for (let i = 0; i < count; i++) {
    engine.send(dialogId, `${label}#${i}`);
    if (gapMs > 0) await Bun.sleep(gapMs);
  }
}
