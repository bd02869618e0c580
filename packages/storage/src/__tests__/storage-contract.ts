import { expect, test } from "bun:test";
import { isStorageLimitError, type ObjectStorage } from "../types";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

const text = (value: string) => new TextEncoder().encode(value);

/** The behaviour every backend must have; each backend's test file runs it against a real store. */
export function describeStorageContract(storage: () => ObjectStorage): void {
  test("put bytes, head, get streams them back, delete removes them", async () => {
    const store = storage();
    const info = await store.put("t/a.txt", text("hello"), { contentType: "text/plain" });
    expect(info).toEqual({ size: 5, contentType: "text/plain" });
    // S3 servers may add a charset to a text type; the database row is what downloads trust.
    const head = await store.head("t/a.txt");
    expect(head?.size).toBe(5);
    expect(head?.contentType.split(";")[0]).toBe("text/plain");
    const got = await store.get("t/a.txt");
    expect(got?.size).toBe(5);
    expect(await new Response(got?.body).text()).toBe("hello");
    await store.delete("t/a.txt");
    expect(await store.head("t/a.txt")).toBeNull();
    expect(await store.get("t/a.txt")).toBeNull();
    // Deleting again is not an error.
    await store.delete("t/a.txt");
  });

  test("a streamed body larger than one multipart part arrives whole", async () => {
    const store = storage();
    const part = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const info = await store.put("t/big.bin", streamOf([part, part, text("end")]), {
      contentType: "application/octet-stream",
      maxBytes: 10 * 1024 * 1024,
    });
    expect(info.size).toBe(2 * part.byteLength + 3);
    const got = await store.get("t/big.bin");
    const bytes = new Uint8Array(await new Response(got?.body).arrayBuffer());
    expect(bytes.byteLength).toBe(info.size);
    expect(bytes[part.byteLength + 7]).toBe(7 % 251);
    expect(new TextDecoder().decode(bytes.subarray(-3))).toBe("end");
    await store.delete("t/big.bin");
  });

  test("a stream past maxBytes is refused and leaves nothing under its key", async () => {
    const store = storage();
    const chunk = new Uint8Array(64 * 1024);
    const refused = await store
      .put("t/too-big.bin", streamOf([chunk, chunk, chunk]), {
        contentType: "application/octet-stream",
        maxBytes: 100_000,
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isStorageLimitError(refused)).toBe(true);
    expect(await store.head("t/too-big.bin")).toBeNull();
    const bytes = await store
      .put("t/too-big-bytes.bin", new Uint8Array(10), { contentType: "x/y", maxBytes: 5 })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isStorageLimitError(bytes)).toBe(true);
    expect(await store.head("t/too-big-bytes.bin")).toBeNull();
  });

  test("keys that could leave their folder are refused", async () => {
    const store = storage();
    for (const key of ["../x", "a/../../x", "/abs", "A/b", "a//b", ""]) {
      await expect(store.put(key, text("x"), { contentType: "text/plain" })).rejects.toThrow(
        "invalid storage key",
      );
    }
  });
}
