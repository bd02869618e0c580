import { createHash } from "node:crypto";

const BIT_63 = 1n << 63n;

/**
 * The direct dialog of two users has one id, derived from the sorted pair, so both opening it at
 * once land on the same row. Bit 63 is set: snowflakes stay below 2^63, so the two never collide.
 */
export function directDialogId(userA: string, userB: string): string {
  const [low, high] = BigInt(userA) < BigInt(userB) ? [userA, userB] : [userB, userA];
  const digest = createHash("sha256").update(`parley:direct:${low}:${high}`).digest();
  return (digest.readBigUInt64BE(0) | BIT_63).toString();
}

export function isDirectDialogId(dialogId: string): boolean {
  return BigInt(dialogId) >= BIT_63;
}
