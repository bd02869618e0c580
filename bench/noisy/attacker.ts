import { authenticateWithPassword, createTrpcChatApi, type SignedInClient } from "@parley/client";
import { MAX_CLIENT_FRAME_BYTES } from "@parley/protocol";

/**
 * One account doing everything it can reach as fast as it can: every tRPC procedure a signed-in
 * client may call (lookups, sync, sends with retries, typing, tickets) and every socket frame (presence
 * watches with tickets, pings at the frame limit, bad and oversized frames), over as many clients and
 * sockets as the limits let it hold. Refusals are expected; the point is what they cost others.
 */
export type AttackStats = Record<string, { ok: number; refused: number; failed: number }>;

export type Attacker = { stop: () => Promise<AttackStats> };

type Api = ReturnType<typeof createTrpcChatApi>;

/** A budget said no (TRPCClientError from the raw client carries the tRPC code in `data`). */
const isRefusal = (error: unknown) =>
  (error as { data?: { code?: string } } | null)?.data?.code === "TOO_MANY_REQUESTS";

const randomId = () => String(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6)));

export async function startAttacker(options: {
  trpcUrl: string;
  wsUrl: string;
  attacker: SignedInClient & { handle: string };
  password: string;
  /** The attacker's own group (its members are the peers it may watch). */
  dialogId: string;
  peerIds: string[];
  clients: number;
  socketsPerClient: number;
  httpLoops: number;
}): Promise<Attacker> {
  const stats: AttackStats = {};
  const count = (name: string, outcome: "ok" | "refused" | "failed") => {
    stats[name] ??= { ok: 0, refused: 0, failed: 0 };
    stats[name][outcome]++;
  };
  let running = true;

  const clients: SignedInClient[] = [options.attacker];
  for (let i = 1; i < options.clients; i++) {
    clients.push(
      await authenticateWithPassword(options.trpcUrl, "signIn", {
        handle: options.attacker.handle,
        password: options.password,
      }),
    );
  }
  const apis: Api[] = clients.map((client) =>
    createTrpcChatApi({ url: options.trpcUrl, session: client.session }),
  );

  const sendSeqs = new Map<Api, number>();
  const sendChains = new Map<Api, Promise<unknown>>();
  const calls: [string, (api: Api) => Promise<unknown>][] = [
    ["user.byIds", (api) => api.client.query("user.byIds", { ids: Array.from({ length: 100 }, randomId) })],
    ["user.byHandle", (api) => api.client.query("user.byHandle", { handle: `nobody${randomId()}` })],
    [
      "dialog.sync",
      (api) => api.client.query("dialog.sync", { dialogId: options.dialogId, afterSeq: 0, limit: 100 }),
    ],
    ["dialog.changes", (api) => api.client.query("dialog.changes", undefined)],
    ["dialog.typing", (api) => api.client.mutation("dialog.typing", { dialogId: options.dialogId })],
    [
      "presence.ticket",
      (api) =>
        api.client.mutation("presence.ticket", {
          userIds: [...options.peerIds, ...Array.from({ length: 50 }, randomId)],
        }),
    ],
    [
      "message.send",
      (api) => {
        // A retry storm: each message sent three times at once with the same clientMsgId. One chain
        // per client keeps its clientSeq in order, as a real client's would be.
        const run = async () => {
          const seq = (sendSeqs.get(api) ?? 0) + 1;
          sendSeqs.set(api, seq);
          const input = {
            dialogId: options.dialogId,
            clientMsgId: `flood-${seq}`,
            clientSeq: seq,
            content: { kind: "text", text: "x".repeat(2_000) },
          };
          await Promise.all([0, 1, 2].map(() => api.client.mutation("message.send", input)));
        };
        const chained = (sendChains.get(api) ?? Promise.resolve()).then(run, run);
        sendChains.set(
          api,
          chained.catch(() => undefined),
        );
        return chained;
      },
    ],
  ];

  const httpLoop = async (index: number) => {
    let turn = index;
    while (running) {
      const api = apis[turn % apis.length] as Api;
      const [name, call] = calls[turn % calls.length] as [string, (api: Api) => Promise<unknown>];
      turn++;
      try {
        await call(api);
        count(name, "ok");
      } catch (error) {
        count(name, isRefusal(error) ? "refused" : "failed");
      }
    }
  };
  const loops = Array.from({ length: options.httpLoops }, (_, i) => httpLoop(i));

  // Sockets: as many as the gateway lets one user hold; each one floods frames just under the rate.
  const sockets = new Set<WebSocket>();
  const socketLoop = async (api: Api) => {
    while (running) {
      const { token } = (await api.client
        .mutation("auth.realtimeToken", undefined)
        .catch(() => ({ token: "" }))) as {
        token: string;
      };
      const ws = new WebSocket(`${options.wsUrl}?token=${token}`);
      sockets.add(ws);
      const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      let tick = 0;
      let ticket = "";
      const timer = setInterval(async () => {
        if (ws.readyState !== WebSocket.OPEN) return;
        tick++;
        try {
          if (tick % 200 === 0) {
            ws.send("x".repeat(MAX_CLIENT_FRAME_BYTES + 100)); // oversized: closes the socket (1009)
          } else if (tick % 40 === 0) {
            ws.send("{not json");
          } else if (tick % 100 === 1) {
            const answer = (await api.client.mutation("presence.ticket", {
              userIds: [...options.peerIds, ...Array.from({ length: 20 }, randomId)],
            })) as { ticket: string };
            ticket = answer.ticket;
          } else if (tick % 2 === 0 && ticket) {
            // A different subset each time: every frame asks to watch users it did not watch.
            const subset = options.peerIds.filter((_, i) => (i + tick) % 3 !== 0);
            ws.send(JSON.stringify({ type: "presence.watch", ticket, userIds: subset }));
          } else {
            ws.send(JSON.stringify({ type: "ping", t: tick }));
          }
        } catch {
          // Refused ticket calls and closed sockets are part of the flood.
        }
      }, 55); // ~18 frames/s: under FRAME_RATE, so only work budgets can stop it
      const code = await closed;
      clearInterval(timer);
      sockets.delete(ws);
      count(`socket close ${code}`, "ok");
      await Bun.sleep(20);
    }
  };
  const socketLoops = apis.flatMap((api) =>
    Array.from({ length: options.socketsPerClient }, () => socketLoop(api)),
  );

  return {
    async stop() {
      running = false;
      for (const ws of sockets) ws.close();
      await Promise.race([Promise.all([...loops, ...socketLoops]), Bun.sleep(5_000)]);
      return stats;
    },
  };
}
