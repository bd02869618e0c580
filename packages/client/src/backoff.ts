export type BackoffOptions = { baseMs: number; maxMs: number };

/**
 * Exponential backoff with full jitter: after a gateway dies, thousands of clients must not come
 * back in lockstep and knock over the next one.
 */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: BackoffOptions,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A random id for clientMsgId (crypto.randomUUID exists in browsers, Bun and Node ≥ 19). */
export function randomId(): string {
  return crypto.randomUUID();
}
