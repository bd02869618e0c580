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

/** Membership changes: rare on a user's subject, so the gateway may parse these (and only these). */
export const isDialogEventPayload = (payload: string): boolean => payload.startsWith('{"type":"dialog"');

export const userTopic = (userId: string) => `u:${userId}`;
export const dialogTopic = (dialogId: string) => `d:${dialogId}`;
