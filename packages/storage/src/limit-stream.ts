import { StorageLimitError } from "./types";

/**
 * Yields `body`'s chunks and throws `StorageLimitError` as soon as more than `maxBytes` went
 * through: the bytes past the limit are never written anywhere.
 */
export async function* limitedChunks(
  body: ReadableStream<Uint8Array> | Uint8Array,
  maxBytes: number = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw new StorageLimitError(maxBytes);
    yield body;
    return;
  }
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > maxBytes) throw new StorageLimitError(maxBytes);
      yield value;
    }
  } finally {
    // Stop the sender too: an oversized upload is not read to its end.
    await reader.cancel().catch(() => undefined);
  }
}
