import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { freePort } from "@parley/testkit/ports";
import { z } from "zod";

export type NatsCluster = {
  nodes: NatsProcess[];
  /** Every node, in the given order first (each process gets its own preferred node first). */
  urls: (first?: number) => string;
  /** Which node holds a client connection whose name starts with `namePrefix` (null: none now). */
  nodeOf: (namePrefix: string) => Promise<number | null>;
  stop: () => Promise<void>;
};

const ZConnz = z.object({ connections: z.array(z.object({ name: z.string().optional() })).nullish() });

/**
 * Three nats-server processes of our own, routed into one cluster (never the shared one on 4222:
 * the run kills them). JetStream is off: chat subjects are core NATS. Monitoring is on, to find the
 * node a given process is connected to.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const nodes = await Promise.all(
    ports.map((port, index) =>
      startNatsServer({
        port,
        clusterPort: clusterPorts[index],
        routes: clusterPorts.filter((_, i) => i !== index).map((p) => `nats-route://127.0.0.1:${p}`),
        name: `chaos-n${index + 1}`,
        monitor: true,
      }),
    ),
  );
  return {
    nodes,
    urls: (first = 0) =>
      nodes
        .map((_, i) => nodes[(first + i) % nodes.length] as NatsProcess)
        .map((node) => node.url)
        .join(","),
    async nodeOf(namePrefix) {
      for (const [index, node] of nodes.entries()) {
        if (!node.monitorUrl) continue;
        try {
          const response = await fetch(`${node.monitorUrl}/connz?limit=1024`);
          const connz = ZConnz.parse(await response.json());
          if ((connz.connections ?? []).some((c) => c.name?.startsWith(namePrefix))) return index;
        } catch {
          // A node that is down holds nothing.
        }
      }
      return null;
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
