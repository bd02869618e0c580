import { afterEach, describe, expect, test } from "bun:test";
import { engines, fakeApi, seqs, start } from "./testing/fakes";

afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

describe("jumping to a message far up (a reply's original)", () => {
  test("loadAround fetches one page around its seq, kept as a range of its own; holes either side stay", async () => {
    const server = fakeApi(100);
    const engine = start(server.api, { maxCatchUp: 10 });
    await engine.start();
    await Bun.sleep(20);
    await engine.settled();
    expect(engine.holes("9")).toEqual([[1, 95]]);
    const history = server.api.history;
    let reads = 0;
    server.api.history = (input) => {
      reads++;
      return history(input);
    };
    await engine.loadAround("9", 50, 10);
    expect(seqs(engine)).toEqual([45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 96, 97, 98, 99, 100]);
    expect(engine.holes("9")).toEqual([
      [1, 44],
      [55, 95],
    ]);
    // Already held: no request.
    await engine.loadAround("9", 47, 10);
    expect(reads).toBe(1);
  });
});
