import { connect, type NatsConnection } from "@nats-io/transport-node";

/** A JSON publisher on a real NATS connection (what production wiring passes as `events`). */
export async function connectTestPublisher(servers: string): Promise<{
  nc: NatsConnection;
  events: { publish: (subject: string, payload: unknown) => void };
  close: () => Promise<void>;
}> {
  const nc = await connect({ servers, reconnect: false });
  return {
    nc,
    events: { publish: (subject, payload) => nc.publish(subject, JSON.stringify(payload)) },
    close: () => nc.close(),
  };
}
