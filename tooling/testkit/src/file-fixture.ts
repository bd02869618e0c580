import { afterAll } from "bun:test";

/**
 * A test file's shared setup in one call, with top-level await: `open` runs while the file loads
 * (before its first test) and `close` is registered to run after its last test. A setup that fails
 * fails the file, naming the cause; nothing is skipped.
 */
export async function fileFixture<T extends { close: () => Promise<void> }>(
  open: () => Promise<T>,
): Promise<T> {
  const value = await open();
  afterAll(() => value.close());
  return value;
}
