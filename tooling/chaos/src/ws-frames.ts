/**
 * Just enough of RFC 6455 framing for the gateway proxy: split the server→client byte stream into
 * whole frames so one frame can be dropped without corrupting the stream. Server frames are
 * unmasked; a masked frame is still parsed (and its payload unmasked) so the parser never desyncs.
 */
export type WsFrame = {
  fin: boolean;
  /** RSV1: the frame is compressed (permessage-deflate); its payload is not readable text. */
  compressed: boolean;
  opcode: number;
  payload: Uint8Array;
  /** The frame exactly as it was on the wire. */
  raw: Uint8Array;
};

export const OPCODE_TEXT = 0x1;

/** Whole frames at the start of `buffer`, and the bytes of an incomplete frame left over. */
export function readFrames(buffer: Uint8Array): { frames: WsFrame[]; rest: Uint8Array } {
  const frames: WsFrame[] = [];
  let offset = 0;
  for (;;) {
    const frame = readFrame(buffer, offset);
    if (!frame) break;
    frames.push(frame.frame);
    offset = frame.end;
  }
  return { frames, rest: buffer.subarray(offset) };
}

function readFrame(buffer: Uint8Array, start: number): { frame: WsFrame; end: number } | null {
  if (buffer.length - start < 2) return null;
  const b0 = buffer[start] as number;
  const b1 = buffer[start + 1] as number;
  let length = b1 & 0x7f;
  let headerEnd = start + 2;
  if (length === 126) {
    if (buffer.length - start < 4) return null;
    length = ((buffer[start + 2] as number) << 8) | (buffer[start + 3] as number);
    headerEnd = start + 4;
  } else if (length === 127) {
    if (buffer.length - start < 10) return null;
    const view = new DataView(buffer.buffer, buffer.byteOffset + start + 2, 8);
    length = Number(view.getBigUint64(0));
    headerEnd = start + 10;
  }
  const masked = (b1 & 0x80) !== 0;
  const payloadStart = headerEnd + (masked ? 4 : 0);
  const end = payloadStart + length;
  if (buffer.length < end) return null;
  let payload = buffer.slice(payloadStart, end);
  if (masked) {
    const key = buffer.subarray(headerEnd, headerEnd + 4);
    payload = payload.map((byte, i) => byte ^ (key[i % 4] as number));
  }
  return {
    frame: {
      fin: (b0 & 0x80) !== 0,
      compressed: (b0 & 0x40) !== 0,
      opcode: b0 & 0x0f,
      payload,
      raw: buffer.slice(start, end),
    },
    end,
  };
}

/** An unmasked server frame (tests build streams with it). */
export function encodeServerFrame(text: string, opcode = OPCODE_TEXT): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const header =
    payload.length < 126
      ? [0x80 | opcode, payload.length]
      : payload.length < 65_536
        ? [0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]
        : null;
  if (!header) throw new Error("frame too large for this helper");
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

/** The end of an HTTP head (index after the blank line), or -1. */
export function headEnd(buffer: Uint8Array): number {
  for (let i = 3; i < buffer.length; i++) {
    if (buffer[i] === 10 && buffer[i - 1] === 13 && buffer[i - 2] === 10 && buffer[i - 3] === 13)
      return i + 1;
  }
  return -1;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
