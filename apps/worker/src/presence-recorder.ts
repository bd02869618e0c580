import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Db } from "@parley/db";
import { userClients } from "@parley/db/schema";
import {
  natsServers,
  PRESENCE_SEEN_QUEUE,
  PRESENCE_SEEN_SUBJECT,
  type TPresenceSeen,
  ZPresenceSeen,
} from "@parley/protocol";
import { and, eq, lt } from "drizzle-orm";

export type PresenceRecorder = { flush: () => Promise<number>; stop: () => Promise<void> };

/**
 * Writes `user_clients.last_seen_at` from the gateways' "seen" records (gateways have no database).
 * Records are coalesced per client and written once per interval, so a reconnect storm costs one
 * row write per client, not one per socket. A queue group spreads records over worker processes.
 */
export function startPresenceRecorder(
  deps: { db: Db; nc: NatsConnection },
  options: { flushMs?: number; maxBatch?: number; queue?: string } = {},
): PresenceRecorder {
  const pending = new Map<string, TPresenceSeen>();
  const maxBatch = options.maxBatch ?? 500;
  let flushing: Promise<number> | null = null;

  const sub: Subscription = deps.nc.subscribe(PRESENCE_SEEN_SUBJECT, {
    queue: options.queue ?? PRESENCE_SEEN_QUEUE,
    callback: (error, msg) => {
      if (error) return;
      let parsed: ReturnType<typeof ZPresenceSeen.safeParse>;
      try {
        parsed = ZPresenceSeen.safeParse(JSON.parse(msg.string()));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const key = `${parsed.data.u}:${parsed.data.c}`;
      const previous = pending.get(key);
      if (!previous || previous.t < parsed.data.t) pending.set(key, parsed.data);
    },
  });

  const flush = (): Promise<number> => {
    if (flushing) return flushing;
    flushing = (async () => {
      let written = 0;
      while (pending.size > 0) {
        const batch = [...pending.values()].slice(0, maxBatch);
        for (const seen of batch) pending.delete(`${seen.u}:${seen.c}`);
        for (const seen of batch) {
          const at = new Date(seen.t);
          // Shard key (user_id) by "=": a single-shard write. Only moves forward.
          await deps.db
            .update(userClients)
            .set({ lastSeenAt: at, gateway: seen.g.slice(0, 64) })
            .where(
              and(
                eq(userClients.userId, seen.u),
                eq(userClients.clientId, seen.c),
                lt(userClients.lastSeenAt, at),
              ),
            );
          written++;
        }
      }
      return written;
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  };

  const timer = setInterval(() => {
    flush().catch((error: unknown) => console.error("[presence-recorder] flush failed:", error));
  }, options.flushMs ?? 1_000);

  return {
    flush,
    async stop() {
      clearInterval(timer);
      sub.unsubscribe();
      await flush().catch(() => 0);
    },
  };
}

/** The worker's hook: its own NATS connection (the worker's publisher cannot subscribe). */
export async function connectPresenceRecorder(db: Db, natsUrl: string): Promise<PresenceRecorder> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({
    servers: natsServers(natsUrl),
    name: "parley-presence-recorder",
    maxReconnectAttempts: -1,
  });
  const recorder = startPresenceRecorder({ db, nc });
  return {
    flush: recorder.flush,
    async stop() {
      await recorder.stop();
      await nc.drain().catch(() => undefined);
    },
  };
}
