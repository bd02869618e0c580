import { afterEach, describe, expect, test } from "bun:test";
import type { TAttachmentRef, TMessage, TServerFrame } from "@parley/protocol";
import { ApiError, type ChatApi, type SendInput } from "./api";
import type { AttachmentUploader, UploadProgress } from "./attachment-uploads";
import { ChatEngine } from "./engine";
import { MemoryStore } from "./store";

/** The gateway side: says hello and stays quiet (the engine learns from acks and sync). */
class QuietSocket {
  static readonly OPEN = 1;
  readyState = 0;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    queueMicrotask(() => {
      this.readyState = QuietSocket.OPEN;
      const hello: TServerFrame = {
        type: "hello",
        connectionId: "c",
        heartbeatMs: 60_000,
        tokenExpiresAt: Date.now() + 60_000,
      };
      this.onmessage?.({ data: JSON.stringify(hello) });
    });
  }
  send(): void {}
  close(code = 1000, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const DIALOG = "9";
const CLIENT = "10";

/** Confirm's rule for one client (clientSeq = last + 1, ahead refused), and the timeline it builds. */
function apiModel() {
  let last = 0;
  const timeline: TMessage[] = [];
  const sent: SendInput[] = [];
  const api: ChatApi = {
    realtimeToken: async () => ({ token: "t", expiresAt: Date.now() + 60_000 }),
    send: async (input) => {
      await Bun.sleep(1);
      if (input.clientSeq > last + 1)
        throw new ApiError("CONFLICT", "ahead", { expectedClientSeq: last + 1, status: "pending" });
      last = input.clientSeq;
      sent.push(input);
      const seq = timeline.length + 1;
      timeline.push({
        id: String(100 + seq),
        dialogId: DIALOG,
        seq,
        senderId: "1",
        senderClientId: CLIENT,
        clientMsgId: input.clientMsgId,
        clientSeq: input.clientSeq,
        content: input.content as TMessage["content"],
        createdAt: seq,
      });
      return { msgId: String(100 + seq), seq, createdAt: seq };
    },
    sync: async ({ afterSeq, limit }) => {
      const messages = timeline.filter((m) => m.seq > afterSeq).slice(0, limit);
      return { messages, lastSeq: timeline.length, hasMore: false };
    },
    history: async () => ({ messages: [], lastSeq: timeline.length, hasMore: false }),
    changes: async () => [{ dialogId: DIALOG, lastSeq: timeline.length }],
    markDelivered: async () => {},
    markRead: async () => {},
    typing: async () => {},
  };
  return { api, sent, timeline };
}

/** Uploads that finish when the test says (or fail), reporting progress half way. */
function controlledUploader() {
  const waiting: { name: string; finish: (ok: boolean) => void }[] = [];
  let next = 1;
  const uploader: AttachmentUploader = ({ file, onProgress }) =>
    new Promise<TAttachmentRef>((resolve, reject) => {
      onProgress(Math.floor(file.size / 2));
      waiting.push({
        name: file.name,
        finish: (ok) => {
          if (!ok) return reject(new ApiError("UNSUPPORTED_MEDIA_TYPE", "this type of file cannot be sent"));
          onProgress(file.size);
          resolve({
            id: String(5000 + next++),
            name: `server-${file.name}`,
            size: file.size,
            mime: "image/png",
            width: 4,
            height: 3,
            thumb: true,
          });
        },
      });
    });
  return { uploader, waiting };
}

const engines: ChatEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

function engineWith(api: ChatApi, uploader: AttachmentUploader, store = new MemoryStore()) {
  const engine = new ChatEngine({
    api,
    store,
    uploader,
    realtimeUrl: "ws://fake/ws",
    userId: "1",
    clientId: CLIENT,
    WebSocketImpl: QuietSocket as unknown as typeof WebSocket,
    sendWindow: 4,
  });
  engines.push(engine);
  return engine;
}

const file = (name: string) => ({ name, size: 10, type: "image/png", body: new Uint8Array(10) });

describe("sendFiles", () => {
  test("the message shows at once, reports progress, and is sent with the server's references before a later text", async () => {
    const model = apiModel();
    const { uploader, waiting } = controlledUploader();
    const engine = engineWith(model.api, uploader);
    const progress: UploadProgress[] = [];
    engine.on("upload", (p) => progress.push(p));
    await engine.start();
    const localId = engine.sendFiles(DIALOG, [file("a.png"), file("b.png")], "caption");
    engine.send(DIALOG, "typed after");
    const pending = engine.messages(DIALOG);
    expect(pending.map((m) => [m.content.kind, m.status])).toEqual([
      ["media", "pending"],
      ["text", "pending"],
    ]);
    expect(engine.uploadProgress(localId)).toMatchObject({ loaded: 10, total: 20 });
    await Bun.sleep(30);
    expect(model.sent).toEqual([]);
    for (const upload of waiting) upload.finish(true);
    await engine.settled();
    expect(model.sent.map((s) => [s.clientSeq, s.content.kind])).toEqual([
      [1, "media"],
      [2, "text"],
    ]);
    const media = model.sent[0]?.content;
    expect(media?.kind === "media" ? media.attachments.map((a) => a.id) : []).toEqual(["5001", "5002"]);
    expect(media?.kind === "media" ? media.text : null).toBe("caption");
    expect(progress.at(-1)).toMatchObject({ localId, loaded: 20, total: 20 });
  });

  test("a refused upload fails the message in place; retry uploads again and sends it", async () => {
    const model = apiModel();
    const { uploader, waiting } = controlledUploader();
    const engine = engineWith(model.api, uploader);
    await engine.start();
    const localId = engine.sendFiles(DIALOG, [file("x.png")]);
    waiting[0]?.finish(false);
    engine.send(DIALOG, "not held up");
    await engine.settled();
    expect(engine.messages(DIALOG).map((m) => [m.content.kind, m.status])).toEqual([
      ["media", "failed"],
      ["text", "sent"],
    ]);
    expect(engine.messages(DIALOG)[0]?.error).toStartWith("UNSUPPORTED_MEDIA_TYPE");
    expect(engine.retry(DIALOG, localId)).toBe(true);
    expect(waiting).toHaveLength(2);
    waiting[1]?.finish(true);
    await engine.settled();
    expect(model.sent.map((s) => [s.clientSeq, s.content.kind])).toEqual([
      [1, "text"],
      [2, "media"],
    ]);
  });

  test("after a restart, a message whose files never finished uploading comes back failed", async () => {
    const model = apiModel();
    const store = new MemoryStore();
    const first = engineWith(model.api, controlledUploader().uploader, store);
    await first.start();
    first.sendFiles(DIALOG, [file("lost.png")]);
    await Bun.sleep(20);
    first.stop();
    const second = engineWith(model.api, controlledUploader().uploader, store);
    await second.start();
    const shown = second.messages(DIALOG);
    expect(shown.map((m) => [m.content.kind, m.status])).toEqual([["media", "failed"]]);
    expect(shown[0]?.error).toStartWith("UPLOAD_INTERRUPTED");
    // Its files are gone: Retry cannot send it (no request with empty references), Delete can remove it.
    expect(second.retry(DIALOG, shown[0]?.key ?? "")).toBe(false);
    expect(second.messages(DIALOG).map((m) => m.status)).toEqual(["failed"]);
    expect(second.discard(DIALOG, shown[0]?.key ?? "")).toBe(true);
    expect(second.messages(DIALOG)).toEqual([]);
    expect(model.sent).toEqual([]);
  });
});
