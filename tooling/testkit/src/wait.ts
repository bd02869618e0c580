/**
 * Polling with a deadline, for tests, benches and chaos runs: the one copy of "check again until it
 * holds or time runs out". A timeout names what was awaited and the last value seen, so a failure
 * reads as a sentence instead of a bare "timed out".
 */

export type PollOptions = { timeoutMs?: number; intervalMs?: number };

/** Reads until `accept` likes the value, and returns that value; throws with the last one seen. */
export async function eventually<T>(
  what: string,
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 50 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value ${describe(last)}`);
    }
    await Bun.sleep(intervalMs);
  }
}

/** Waits until `check` holds. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: PollOptions = {},
): Promise<void> {
  await eventually(what, check, (held) => held, { intervalMs: 25, ...options });
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
}
