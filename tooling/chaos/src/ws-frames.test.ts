import { describe, expect, test } from "bun:test";
import { concat, encodeServerFrame, headEnd, readFrames } from "./ws-frames";

describe("readFrames", () => {
  test("splits a stream into whole frames and keeps an incomplete one for later", () => {
    const a = encodeServerFrame('{"type":"ping"}');
    const b = encodeServerFrame(`{"type":"event","text":"${"y".repeat(300)}"}`);
    const stream = concat(a, b);
    const cut = stream.length - 10;
    const first = readFrames(stream.subarray(0, cut));
    expect(first.frames.map((f) => new TextDecoder().decode(f.payload))).toEqual(['{"type":"ping"}']);
    expect(first.rest.length).toBe(cut - a.length);
    const second = readFrames(concat(first.rest, stream.subarray(cut)));
    expect(second.frames).toHaveLength(1);
    expect(second.frames[0]?.raw).toEqual(b);
    expect(second.rest.length).toBe(0);
  });

  test("a masked frame is unmasked; compression is reported", () => {
    const payload = new TextEncoder().encode("hi");
    const key = [1, 2, 3, 4];
    const frame = new Uint8Array([
      0xc1,
      0x80 | payload.length,
      ...key,
      ...payload.map((b, i) => b ^ (key[i % 4] ?? 0)),
    ]);
    const [parsed] = readFrames(frame).frames;
    expect(new TextDecoder().decode(parsed?.payload)).toBe("hi");
    expect(parsed?.compressed).toBe(true);
  });

  test("headEnd finds the blank line after an HTTP head", () => {
    const head = new TextEncoder().encode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
    expect(headEnd(concat(head, encodeServerFrame("x")))).toBe(head.length);
    expect(headEnd(head.subarray(0, head.length - 1))).toBe(-1);
  });
});
