import { mkdirSync } from "node:fs";
import { createTestAuthEnv } from "@parley/auth/testing";
import { createTestDatabase, requireMariaDb, requireRedis, type TestDatabase } from "@parley/testkit";
import { freePort } from "@parley/testkit/ports";
import { type RemoteDelayProxy, startDelayProxyProcess } from "./delay-proxy-process";
import { type GatewayProxy, startGatewayProxy } from "./gateway-proxy";
import { type NatsCluster, startNatsCluster } from "./nats-cluster";
import { type ChaosProcess, launchApi, launchGateway, launchWorker } from "./processes";

/** The knobs every process of a run shares. */
export type WorldOptions = {
  label: string;
  /** Process logs (the API's) go here. */
  logDir: string;
  /** Groups this large are big groups (one chat.dialog.<id> publish per message). */
  bigGroupMinMembers: number;
  log: (line: string) => void;
};

export type Gateway = { id: string; proc: ChaosProcess; proxy: GatewayProxy };

/**
 * Everything a chaos run drives, as separate processes: the API behind a latency proxy, two
 * gateways behind frame-level TCP proxies, the worker, a 3-node NATS cluster of its own, over a
 * fresh migrated database and the shared Redis. Every kill has its restart here.
 */
export type World = {
  db: TestDatabase;
  nats: NatsCluster;
  apiProxy: RemoteDelayProxy;
  gateways: Gateway[];
  publicKeyPem: string;
  trpcUrl: string;
  wsUrls: string[];
  api: () => ChaosProcess & { natsName: string };
  worker: () => ChaosProcess;
  restartApi: () => Promise<void>;
  restartGateway: (index: number) => Promise<void>;
  restartWorker: () => Promise<void>;
  /** Starts whatever is down again (end of a scenario): nothing is left broken for the next. */
  heal: () => Promise<void>;
  stop: () => Promise<void>;
};

export async function startWorld(options: WorldOptions): Promise<World> {
  await Promise.all([requireMariaDb(), requireRedis()]);
  const db = await createTestDatabase(options.label);
  const nats = await startNatsCluster(3);
  const authEnv = await createTestAuthEnv();
  const bigGroupEnv = {
    BIG_GROUP_MIN_MEMBERS: String(options.bigGroupMinMembers),
    BIG_GROUP_FANOUT_GRACE_MS: "0",
  };
  mkdirSync(options.logDir, { recursive: true });
  const apiLaunch = {
    port: await freePort(),
    databaseUrl: db.url,
    natsUrl: nats.urls(0),
    logDir: options.logDir,
    // Every limit is production's but the sign-up and new-client budgets (createTestAuthEnv).
    env: { ...bigGroupEnv, ...authEnv },
  };
  let api = await launchApi(apiLaunch);
  const apiProxy = await startDelayProxyProcess(api.origin);
  const startGateway = (index: number) =>
    launchGateway({
      id: `gw${index + 1}`,
      // Each gateway prefers another node, as a real deployment spreads them.
      natsUrl: nats.urls(index + 1),
      publicKeyPem: authEnv.REALTIME_TOKEN_PUBLIC_KEY,
    });
  const gateways: Gateway[] = await Promise.all(
    [0, 1].map(async (index) => {
      const proc = await startGateway(index);
      return { id: `gw${index + 1}`, proc, proxy: startGatewayProxy(proc.port ?? 0) };
    }),
  );
  const workerLaunch = {
    databaseUrl: db.url,
    natsUrl: nats.urls(2),
    logDir: options.logDir,
    env: {
      ...bigGroupEnv,
      // A killed worker's lease lapses after this; the restarted one takes over then.
      WORKER_LEASE_TTL_MS: "3000",
      WORKER_HOLDER: `chaos-${process.pid}`,
    },
  };
  let worker = await launchWorker(workerLaunch);

  const restartApi = async () => {
    await api.kill("SIGKILL");
    api = await launchApi(apiLaunch);
    apiProxy.setUpstream(api.origin);
    options.log(`api restarted (pid ${api.pid})`);
  };
  const restartGateway = async (index: number) => {
    const gateway = gateways[index];
    if (!gateway) throw new Error(`no gateway ${index}`);
    await gateway.proc.kill("SIGKILL");
    gateway.proc = await startGateway(index);
    gateway.proxy.setUpstream(gateway.proc.port ?? 0);
    options.log(`${gateway.id} restarted (pid ${gateway.proc.pid})`);
  };
  const restartWorker = async () => {
    await worker.kill("SIGKILL");
    worker = await launchWorker(workerLaunch);
    options.log(`worker restarted (pid ${worker.pid})`);
  };

  return {
    db,
    nats,
    apiProxy,
    gateways,
    publicKeyPem: authEnv.REALTIME_TOKEN_PUBLIC_KEY,
    trpcUrl: `${apiProxy.url}${new URL(api.trpcUrl).pathname}`,
    wsUrls: gateways.map((g) => g.proxy.wsUrl),
    api: () => api,
    worker: () => worker,
    restartApi,
    restartGateway,
    restartWorker,
    async heal() {
      apiProxy.setPlan(null);
      for (const node of nats.nodes) {
        if (node.proc.exitCode !== null || node.proc.signalCode !== null) await node.restart();
      }
      if (!api.isAlive()) await restartApi();
      for (const [index, gateway] of gateways.entries()) {
        if (!gateway.proc.isAlive()) await restartGateway(index);
      }
      if (!worker.isAlive()) await restartWorker();
    },
    async stop() {
      for (const gateway of gateways) gateway.proxy.stop();
      await Promise.allSettled([
        api.kill("SIGTERM"),
        worker.kill("SIGTERM"),
        ...gateways.map((g) => g.proc.kill("SIGTERM")),
      ]);
      await apiProxy.stop();
      await nats.stop();
      await db.drop().catch((error: unknown) => options.log(`drop database: ${String(error)}`));
    },
  };
}
