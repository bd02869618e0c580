import {
  CLIENT_FRAME_TYPES,
  FRAME_ERROR_CODES,
  type TClientFrame,
  type TFrameErrorCode,
  type TServerFrame,
  ZClientFrame,
} from "@parley/protocol";

export type FrameParse =
  | { ok: true; frame: TClientFrame }
  | { ok: false; code: TFrameErrorCode; message: string };

const KNOWN_TYPES: ReadonlySet<string> = new Set(CLIENT_FRAME_TYPES);

/** Parses one inbound frame; never throws (garbage from one socket must not reach the others). */
export function parseClientFrame(raw: string | Buffer): FrameParse {
  if (typeof raw !== "string") {
    return { ok: false, code: FRAME_ERROR_CODES.binaryFrame, message: "frames are JSON text" };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: FRAME_ERROR_CODES.badJson, message: "frame is not JSON" };
  }
  const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== "string" || !KNOWN_TYPES.has(type)) {
    return { ok: false, code: FRAME_ERROR_CODES.unknownFrame, message: "unknown frame type" };
  }
  const parsed = ZClientFrame.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: FRAME_ERROR_CODES.badFrame, message: `invalid ${type} frame` };
  }
  return { ok: true, frame: parsed.data };
}

export const encodeFrame = (frame: TServerFrame): string => JSON.stringify(frame);

/**
 * Wraps a NATS payload (already JSON, published by the API) without parsing it: the hot path of
 * every delivery is one string concatenation.
 */
export const wrapEventPayload = (payload: string): string => `{"type":"event","event":${payload}}`;

/**
 * Ephemeral events (typing, presence) are shed first. Publishers serialise the discriminator first
 * (`{ type, … }`), so a prefix check suffices and costs nothing on the message hot path; an event
 * serialised otherwise is merely never shed, which is the safe way to be wrong.
 */
export const isEphemeralPayload = (payload: string): boolean =>
  payload.startsWith('{"type":"typing"') || payload.startsWith('{"type":"presence"');

const EVENT_PREFIX = new TextEncoder().encode('{"type":"event","event":');
const CLOSE_BRACE = 0x7d;
const TYPING_PREFIX = new TextEncoder().encode('{"type":"typing"');
const PRESENCE_PREFIX = new TextEncoder().encode('{"type":"presence"');
const decoder = new TextDecoder();

/**
 * The event frame straight from NATS payload bytes: prefix, payload and "}" are copied into one
 * buffer and decoded once, to a flat string (Bun sends text frames from strings only). Cheaper than
 * decoding the payload and concatenating: no rope to flatten when the frame is published. Invalid
 * UTF-8 is replaced (U+FFFD) exactly as decoding the payload alone would.
 */
export function wrapEventBytes(payload: Uint8Array): string {
  const frame = new Uint8Array(EVENT_PREFIX.length + payload.length + 1);
  frame.set(EVENT_PREFIX, 0);
  frame.set(payload, EVENT_PREFIX.length);
  frame[frame.length - 1] = CLOSE_BRACE;
  return decoder.decode(frame);
}

const startsWithBytes = (data: Uint8Array, prefix: Uint8Array): boolean => {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
};

/** isEphemeralPayload on the payload bytes (same prefix rule). */
export const isEphemeralBytes = (payload: Uint8Array): boolean =>
  startsWithBytes(payload, TYPING_PREFIX) || startsWithBytes(payload, PRESENCE_PREFIX);

export const userTopic = (userId: string) => `u:${userId}`;
