/**
 * One WebSocket per user, as its client would hold it: realtime token from auth.realtimeToken,
 * `GET /ws?token=`, pings answered, a fresh token sent in-band before the current one expires.
 * Every `message` event is matched to the send it came from (by clientMsgId) and timed there.
 */
import { REALTIME_TOKEN_QUERY_PARAM } from "@parley/protocol";
import { z } from "zod";
import { type BenchUser, bearer, mapConcurrent, withRetries } from "./population";
import type { TrpcHttp } from "./trpc-http";

/** A send as the load client tracks it, from scheduling to the last receiver socket. */
export type MessageRecord = {
  dialogId: string;
  senderUserId: string;
  /** When the message was due (open loop) or handed to the pipeline (closed loop), performance.now(). */
  dueAt: number;
  ackedAt: number | null;
  state: "queued" | "inflight" | "acked" | "failed" | "dropped";
  /** Receiver sockets that should see it: every member's but the sender's own. */
  expected: number;
  delivered: number;
  /** When the last expected receiver got it. */
  completedAt: number | null;
};

/** What the receivers saw during one scenario. */
export type DeliveryLog = {
  records: Map<string, MessageRecord>;
  latenciesMs: number[];
  deliveries: number;
  /** A copy a socket already had (a re-publish; the engine drops it by seq). */
  duplicates: number;
  /**
   * First receipts of a sender's clientSeq after a later clientSeq of that sender in that dialog:
   * pushes that overtook each other on the way (publishes of concurrent sends, several API
   * processes). The engine holds them for the missing one and shows seq order; not a violation.
   */
  reordered: number;
  /**
   * A sender's messages whose seq order differs from their clientSeq order: what every client would
   * show out of order. The guarantee is that this is zero.
   */
  orderViolations: number;
  /** Message events for no send of this scenario (late ones from an earlier scenario). */
  strays: number;
  /** Receipts up to `windowEnd` (performance.now()): the rate is counted over the load's own duration. */
  windowEnd: number;
  deliveriesInWindow: number;
};

export function newDeliveryLog(): DeliveryLog {
  return {
    records: new Map(),
    latenciesMs: [],
    deliveries: 0,
    duplicates: 0,
    reordered: 0,
    orderViolations: 0,
    strays: 0,
    windowEnd: Number.POSITIVE_INFINITY,
    deliveriesInWindow: 0,
  };
}

const ZRealtimeToken = z.object({ token: z.string(), expiresAt: z.number() });
const ZMessageFrame = z.object({
  type: z.literal("event"),
  event: z.object({
    type: z.string(),
    seq: z.number().optional(),
    message: z
      .object({
        dialogId: z.string(),
        senderClientId: z.string(),
        clientMsgId: z.string(),
        clientSeq: z.number(),
      })
      .optional(),
  }),
});
/**
 * What one socket has seen of one sender in one dialog: the highest clientSeq, the holes below it,
 * and the seq each clientSeq got (a sender's consecutive clientSeqs must get increasing seqs).
 */
type SenderStream = { top: number; holes: Set<number>; seqs: Map<number, number> };

/**
 * "first" in order, "late" = first receipt of a seq below one already seen (reordered), "again" = a
 * copy of one already received (re-publishes are by design; clients drop them).
 */
function classify(
  streams: Map<string, SenderStream>,
  key: string,
  clientSeq: number,
  seq: number,
  log: DeliveryLog,
): "first" | "late" | "again" {
  let stream = streams.get(key);
  if (!stream) {
    // Every pipeline starts at clientSeq 1 after the sockets opened: seqs below the first are holes.
    stream = { top: 0, holes: new Set(), seqs: new Map() };
    streams.set(key, stream);
  }
  if (!stream.seqs.has(clientSeq)) {
    stream.seqs.set(clientSeq, seq);
    const before = stream.seqs.get(clientSeq - 1);
    const after = stream.seqs.get(clientSeq + 1);
    if ((before !== undefined && before > seq) || (after !== undefined && after < seq)) log.orderViolations++;
  }
  if (clientSeq > stream.top) {
    for (let hole = stream.top + 1; hole < clientSeq; hole++) stream.holes.add(hole);
    stream.top = clientSeq;
    return "first";
  }
  return stream.holes.delete(clientSeq) ? "late" : "again";
}

/**
 * Refresh in-band this long before the token expires. The engine uses 15 s; the scenarios drive the
 * API past saturation, where a refresh waits in the same queue as the sends (tens of seconds), and a
 * socket closed at expiry would miss messages a real client would then sync.
 */
const TOKEN_REFRESH_LEAD_MS = 30_000;

export type Receivers = {
  /** Sockets closed by the gateway since they opened, by close code (each is opened again). */
  closes: Record<string, number>;
  /** Sockets open now (past `hello`). */
  open: number;
  /** auth.realtimeToken calls so far (opens, reconnects and in-band refreshes): API load besides the sends. */
  tokenCalls: number;
  log: DeliveryLog;
  stop: () => void;
};

export async function openReceivers(
  http: TrpcHttp,
  realtimeUrl: string,
  users: BenchUser[],
): Promise<Receivers> {
  const state: Receivers = { closes: {}, open: 0, tokenCalls: 0, log: newDeliveryLog(), stop: () => {} };
  const sockets = new Map<number, WebSocket>();
  const timers: ReturnType<typeof setTimeout>[] = [];
  let stopped = false;
  const fetchToken = async (user: BenchUser) =>
    withRetries("auth.realtimeToken", async () => {
      state.tokenCalls++;
      return http.mutation("auth.realtimeToken", undefined, ZRealtimeToken, await bearer(http, user));
    });

  const onFrame = (user: BenchUser, streams: Map<string, SenderStream>, data: string, ws: WebSocket) => {
    if (data.startsWith('{"type":"ping"')) {
      ws.send('{"type":"pong"}');
      return;
    }
    if (!data.startsWith('{"type":"event"')) return;
    const frame = ZMessageFrame.safeParse(JSON.parse(data));
    const message = frame.success ? frame.data.event.message : undefined;
    if (!message) return;
    const log = state.log;
    const record = log.records.get(message.clientMsgId);
    if (!record) {
      log.strays++;
      return;
    }
    if (record.senderUserId === user.userId) return; // the sender's own client hears its echo
    const verdict = classify(
      streams,
      `${message.dialogId}:${message.senderClientId}`,
      message.clientSeq,
      frame.success ? (frame.data.event.seq ?? 0) : 0,
      log,
    );
    if (verdict === "again") {
      log.duplicates++;
      return;
    }
    if (verdict === "late") log.reordered++;
    record.delivered++;
    const now = performance.now();
    log.deliveries++;
    if (now <= log.windowEnd) log.deliveriesInWindow++;
    log.latenciesMs.push(now - record.dueAt);
    if (record.delivered === record.expected) record.completedAt = now;
  };

  const scheduleRefresh = (user: BenchUser, ws: WebSocket, expiresAt: number) => {
    if (stopped) return;
    const delay = Math.max(1_000, expiresAt - Date.now() - TOKEN_REFRESH_LEAD_MS - Math.random() * 5_000);
    timers.push(
      setTimeout(async () => {
        if (stopped || ws.readyState !== WebSocket.OPEN) return;
        const fresh = await fetchToken(user).catch(() => null);
        if (stopped) return;
        // A refused refresh is tried again shortly: the gateway closes the socket at expiry (4002).
        if (!fresh) return scheduleRefresh(user, ws, Date.now() + TOKEN_REFRESH_LEAD_MS);
        ws.send(JSON.stringify({ type: "auth", token: fresh.token }));
        scheduleRefresh(user, ws, fresh.expiresAt);
      }, delay),
    );
  };

  /** Resolves at `hello`; a socket the gateway closes later is counted and opened again (a new token). */
  const connect = async (user: BenchUser, streams: Map<string, SenderStream>): Promise<void> => {
    const { token, expiresAt } = await fetchToken(user);
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${realtimeUrl}?${REALTIME_TOKEN_QUERY_PARAM}=${encodeURIComponent(token)}`);
      sockets.set(user.index, ws);
      let isReady = false;
      ws.onmessage = (event) => {
        const data = typeof event.data === "string" ? event.data : "";
        if (!isReady && data.startsWith('{"type":"hello"')) {
          isReady = true;
          state.open++;
          scheduleRefresh(user, ws, expiresAt);
          resolve();
          return;
        }
        onFrame(user, streams, data, ws);
      };
      ws.onclose = (event) => {
        if (!isReady) {
          reject(new Error(`socket of user ${user.index} closed before hello (${event.code})`));
          return;
        }
        state.open--;
        if (stopped) return;
        state.closes[event.code] = (state.closes[event.code] ?? 0) + 1;
        void reconnect(user, streams);
      };
    });
  };
  const reconnect = async (user: BenchUser, streams: Map<string, SenderStream>) => {
    for (let attempt = 0; !stopped; attempt++) {
      await Bun.sleep(Math.min(5_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
      if (
        await connect(user, streams).then(
          () => true,
          () => false,
        )
      )
        return;
    }
  };

  await mapConcurrent(users, 32, (user) => connect(user, new Map()));
  state.stop = () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    for (const ws of sockets.values()) ws.close(1000);
  };
  return state;
}
