import { connect, type NatsConnection } from "@nats-io/transport-node";
import { natsServers } from "@parley/protocol";
import type { EventPublisher } from "../services";

/** A flush that gets no answer this long is a failure: the rows stay for the relay. */
const FLUSH_TIMEOUT_MS = 5_000;

export type NatsPublisher = {
  events: EventPublisher;
  isConnected: () => boolean;
  close: () => Promise<void>;
};

/**
 * A NATS publisher that never blocks or fails a send. It connects in the background and keeps
 * reconnecting forever. While NATS is unreachable `publish` throws instead of buffering in memory:
 * the outbox row (already durable) is the buffer, and the relay delivers it once NATS is back — so
 * nothing is lost if this process dies during the outage.
 */
export function createNatsPublisher(url: string, name = "parley-api"): NatsPublisher {
  let nc: NatsConnection | null = null;
  let connected = false;
  let closed = false;

  const connecting = connect({
    servers: natsServers(url),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  })
    .then(async (connection) => {
      nc = connection;
      connected = true;
      if (closed) {
        await connection.close();
        return;
      }
      for await (const status of connection.status()) {
        if (status.type === "disconnect") connected = false;
        if (status.type === "reconnect") connected = true;
      }
    })
    .catch((error: unknown) => {
      connected = false;
      if (!closed) console.error("[nats] publisher stopped:", error instanceof Error ? error.message : error);
    });

  return {
    events: {
      publish(subject, payload) {
        if (!nc || !connected || nc.isClosed()) throw new Error("NATS is not connected");
        nc.publish(subject, JSON.stringify(payload));
      },
      publishJson(subject, json) {
        if (!nc || !connected || nc.isClosed()) throw new Error("NATS is not connected");
        nc.publish(subject, json);
      },
      async flush() {
        const connection = nc;
        if (!connection || !connected || connection.isClosed()) throw new Error("NATS is not connected");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("NATS flush timed out")), FLUSH_TIMEOUT_MS);
        });
        try {
          await Promise.race([connection.flush(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      },
    },
    isConnected: () => connected && nc !== null && !nc.isClosed(),
    close: async () => {
      closed = true;
      connected = false;
      if (nc && !nc.isClosed()) await nc.drain().catch(() => nc?.close());
      await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, 100))]);
    },
  };
}
