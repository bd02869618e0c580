import { describe, expect, test } from "bun:test";
import type { TSendContent } from "@parley/protocol";
import { ApiError, type SendAck, type SendInput } from "./api";
import { DialogSendQueue, type OutgoingItem } from "./send-queue";

/** The API's Confirm rule for one client: clientSeq = last + 1 commits, ahead is refused (CONFLICT). */
function confirmModel() {
  let last = 0;
  let seq = 0;
  const committed: { clientSeq: number; content: TSendContent }[] = [];
  const send = async (input: SendInput): Promise<SendAck> => {
    await Bun.sleep(1);
    if (input.clientSeq > last + 1) {
      throw new ApiError("CONFLICT", "ahead", { expectedClientSeq: last + 1, status: "pending" });
    }
    last = input.clientSeq;
    committed.push({ clientSeq: input.clientSeq, content: input.content });
    return { msgId: `m${input.clientSeq}`, seq: ++seq, createdAt: Date.now() };
  };
  return { send, committed };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const text = (value: string): TSendContent => ({ kind: "text", text: value });
const media = (id: string): TSendContent => ({
  kind: "media",
  text: "",
  attachments: [{ id, name: "a.png", size: 3, mime: "image/png" }],
});
const label = (content: TSendContent) =>
  content.kind === "text"
    ? content.text
    : content.kind === "media"
      ? `media:${content.attachments[0]?.id}`
      : content.kind;

function queueWith(server: ReturnType<typeof confirmModel>) {
  const failed: { item: OutgoingItem; error: ApiError }[] = [];
  const acked: OutgoingItem[] = [];
  const queue = new DialogSendQueue("d1", 1, 8, {
    send: server.send,
    onAck: (item) => acked.push(item),
    onFailed: (item, error) => failed.push({ item, error }),
    onClientSeq: () => {},
  });
  const settled = async () => {
    for (let i = 0; i < 500 && queue.pending > 0; i++) await Bun.sleep(2);
  };
  return { queue, failed, acked, settled };
}

describe("a message whose files are still uploading", () => {
  test("holds its place: a text typed after it waits, and the upload finishing later does not let it overtake", async () => {
    const server = confirmModel();
    const { queue, settled } = queueWith(server);
    const upload = deferred<TSendContent>();
    const photo = queue.enqueuePrepared(media(""), upload.promise);
    const after = queue.enqueue(text("typed after the photo"));
    expect(photo.clientSeq).toBe(1);
    await Bun.sleep(20);
    // Nothing went out while the upload runs: the later text did not jump ahead.
    expect(server.committed).toEqual([]);
    expect(after.state).toBe("queued");
    upload.resolve(media("777"));
    await settled();
    expect(server.committed.map((c) => [c.clientSeq, label(c.content)])).toEqual([
      [1, "media:777"],
      [2, "typed after the photo"],
    ]);
  });

  test("earlier messages still in flight keep their order around it", async () => {
    const server = confirmModel();
    const { queue, settled } = queueWith(server);
    queue.enqueue(text("before"));
    const upload = deferred<TSendContent>();
    queue.enqueuePrepared(media(""), upload.promise);
    queue.enqueue(text("after"));
    await Bun.sleep(20);
    expect(server.committed.map((c) => label(c.content))).toEqual(["before"]);
    upload.resolve(media("42"));
    await settled();
    expect(server.committed.map((c) => label(c.content))).toEqual(["before", "media:42", "after"]);
    expect(server.committed.map((c) => c.clientSeq)).toEqual([1, 2, 3]);
  });

  test("a failed upload fails that message in place and the queue moves on without a hole", async () => {
    const server = confirmModel();
    const { queue, failed, settled } = queueWith(server);
    const upload = deferred<TSendContent>();
    const photo = queue.enqueuePrepared(media(""), upload.promise);
    queue.enqueue(text("still sent"));
    upload.reject(new ApiError("PAYLOAD_TOO_LARGE", "the file is too large"));
    await settled();
    expect(failed.map((f) => [f.item.localId, f.error.code])).toEqual([[photo.localId, "PAYLOAD_TOO_LARGE"]]);
    // Its number was never sent, so it was given back: the text commits as 1, with no CONFLICT round.
    expect(server.committed.map((c) => [c.clientSeq, label(c.content)])).toEqual([[1, "still sent"]]);
    expect(queue.pending).toBe(0);
  });

  test("retried after failing, it goes at the end as a new message", async () => {
    const server = confirmModel();
    const { queue, failed, settled } = queueWith(server);
    const first = deferred<TSendContent>();
    const photo = queue.enqueuePrepared(media(""), first.promise);
    first.reject(new ApiError("NETWORK", "connection reset"));
    await settled();
    expect(failed).toHaveLength(1);
    queue.enqueue(text("meanwhile"));
    const second = deferred<TSendContent>();
    queue.enqueuePrepared(media(""), second.promise, photo.localId);
    second.resolve(media("9"));
    await settled();
    expect(server.committed.map((c) => label(c.content))).toEqual(["meanwhile", "media:9"]);
  });
});
