import { afterAll, beforeAll } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type GatewayProcess, readMetric, startGatewayProcess } from "./gateway";
import { createTokenMint, type MintOptions, type TokenMint } from "./keys";
import { type NatsProcess, startNatsServer } from "./nats-server";
import { requireNats } from "./services";
import { openProbe, type WsProbe } from "./ws-probe";

export type GatewayFixtureOptions = {
  /** Gateway knobs (IDLE_TIMEOUT_MS, SWEEP_MS…), the same for every gateway. */
  env?: Record<string, string>;
  /** Gateway processes on the one NATS server (default 1), named gw1, gw2, … */
  gateways?: number;
  /** NATS HTTP monitoring (connz, subsz), for tests that count subscriptions at the server. */
  monitor?: boolean;
};

export type Connected = { probe: WsProbe; userId: string; clientId: string };

export type GatewayFixture = {
  readonly nats: NatsProcess;
  /** The first gateway. */
  readonly gateway: GatewayProcess;
  readonly gateways: GatewayProcess[];
  /** Mints realtime tokens the gateways accept, as the API's auth.realtimeToken does. */
  readonly keys: TokenMint;
  /** The test's own NATS connection: it publishes events exactly as the API would. */
  readonly nc: NatsConnection;
  /** A fresh decimal id (users, clients, dialogs) no other test of the run uses. */
  newId: () => string;
  /** A socket that records its frames; closed when the file's tests are done. */
  openSocket: (token: string, gateway?: GatewayProcess) => WsProbe;
  /** A socket of a new (or given) user and client, once the gateway said hello. */
  connect: (options?: {
    userId?: string;
    clientId?: string;
    gateway?: GatewayProcess;
    mint?: MintOptions;
  }) => Promise<Connected>;
  /** How a socket with `token` ends up: "hello", or the code it was closed with. */
  outcomeOf: (
    token: string,
    gateway?: GatewayProcess,
  ) => Promise<{ probe: WsProbe; outcome: number | "hello" }>;
  /** A sample from a gateway's /metrics (the first gateway unless named). */
  metric: (name: string, gateway?: GatewayProcess) => Promise<number>;
};

/**
 * Gateway-level test setup in one call: our own nats-server, a token mint, real gateway processes
 * and a NATS connection, started before the file's tests (beforeAll) and stopped after them
 * (afterAll). Fields throw if read before the tests start.
 */
export function useGatewayFixture(options: GatewayFixtureOptions = {}): GatewayFixture {
  type Parts = { nats: NatsProcess; gateways: GatewayProcess[]; keys: TokenMint; nc: NatsConnection };
  // Filled as setup goes, so teardown stops whatever did start; `ready` once all of it did.
  const parts: Partial<Parts> = {};
  let ready: Parts | null = null;
  const probes: WsProbe[] = [];
  let nextId = BigInt(Date.now()) * 1000n;

  beforeAll(async () => {
    await requireNats();
    parts.nats = await startNatsServer({ monitor: options.monitor });
    parts.keys = await createTokenMint();
    const { nats, keys } = parts;
    parts.gateways = await Promise.all(
      Array.from({ length: options.gateways ?? 1 }, (_, index) =>
        startGatewayProcess({
          natsUrl: nats.url,
          publicKeyPem: keys.publicKeyPem,
          env: { GATEWAY_ID: `gw${index + 1}`, ...options.env },
        }),
      ),
    );
    parts.nc = await connect({ servers: nats.url });
    ready = { nats, keys, gateways: parts.gateways, nc: parts.nc };
  }, 60_000);

  afterAll(async () => {
    for (const probe of probes) probe.ws.close();
    await parts.nc?.close();
    if (process.env.DEBUG_GATEWAY) for (const gateway of parts.gateways ?? []) console.log(gateway.output());
    await Promise.all((parts.gateways ?? []).map((gateway) => gateway.kill("SIGKILL")));
    await parts.nats?.stop();
  });

  const live = () => {
    if (!ready) throw new Error("the gateway fixture is read before its beforeAll ran");
    return ready;
  };
  const first = () => live().gateways[0] as GatewayProcess;
  const openSocket = (token: string, gateway = first()) => {
    const probe = openProbe(`${gateway.wsUrl}?token=${token}`);
    probes.push(probe);
    return probe;
  };
  const newId = () => String(++nextId);

  return {
    get nats() {
      return live().nats;
    },
    get gateway() {
      return first();
    },
    get gateways() {
      return live().gateways;
    },
    get keys() {
      return live().keys;
    },
    get nc() {
      return live().nc;
    },
    newId,
    openSocket,
    async connect({ userId = newId(), clientId = newId(), gateway, mint } = {}) {
      const probe = openSocket(await live().keys.mint(userId, clientId, mint), gateway);
      await probe.waitFor((frame) => frame.type === "hello");
      return { probe, userId, clientId };
    },
    async outcomeOf(token, gateway) {
      const probe = openSocket(token, gateway);
      const outcome = await Promise.race([
        probe.waitFor((frame) => frame.type === "hello").then(() => "hello" as const),
        probe.closed.then((closed) => closed.code),
      ]);
      return { probe, outcome };
    },
    metric: (name, gateway = first()) => readMetric(gateway, name),
  };
}
