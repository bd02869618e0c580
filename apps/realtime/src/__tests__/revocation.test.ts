import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { CLOSE_REVOKED, CLOSE_UNAUTHORIZED, clientRevokeSubject } from "@parley/protocol";
import { requireNats } from "@parley/testkit";
import { createTokenMint, type TokenMint } from "../testing/keys";
import {
  type GatewayProcess,
  type NatsProcess,
  startGatewayProcess,
  startNatsServer,
} from "../testing/processes";
import { openProbe, type WsProbe } from "../testing/ws-probe";

let nats: NatsProcess;
let gateway: GatewayProcess;
let keys: TokenMint;
let nc: NatsConnection;
const probes: WsProbe[] = [];
let nextId = BigInt(Date.now()) * 1000n;
const newId = () => String(++nextId);

beforeAll(async () => {
  await requireNats();
  nats = await startNatsServer();
  keys = await createTokenMint();
  gateway = await startGatewayProcess({ natsUrl: nats.url, publicKeyPem: keys.publicKeyPem });
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  for (const probe of probes) probe.ws.close();
  await nc?.close();
  await gateway?.kill("SIGKILL");
  await nats?.stop();
});

async function outcomeOf(token: string): Promise<{ probe: WsProbe; outcome: number | "hello" }> {
  const probe = openProbe(`${gateway.wsUrl}?token=${token}`);
  probes.push(probe);
  const outcome = await Promise.race([
    probe.waitFor((f) => f.type === "hello").then(() => "hello" as const),
    probe.closed.then((closed) => closed.code),
  ]);
  return { probe, outcome };
}

test("a token minted before its client was revoked opens no socket afterwards (CLOSE_REVOKED)", async () => {
  const userId = newId();
  const revokedClient = newId();
  const keptClient = newId();
  const early = await keys.mint(userId, revokedClient);
  const open = await outcomeOf(await keys.mint(userId, revokedClient));
  expect(open.outcome).toBe("hello");

  nc.publish(
    clientRevokeSubject(revokedClient),
    JSON.stringify({ type: "revoke", userId, clientId: revokedClient }),
  );
  expect((await open.probe.closed).code).toBe(CLOSE_REVOKED);

  expect((await outcomeOf(early)).outcome).toBe(CLOSE_REVOKED);
  expect((await outcomeOf(await keys.mint(userId, revokedClient))).outcome).toBe(CLOSE_REVOKED);
  // The user's other clients are not touched.
  expect((await outcomeOf(await keys.mint(userId, keptClient))).outcome).toBe("hello");
});

test("a token minted before the gateway could hear revokes is refused (a revoke it missed may cover it)", async () => {
  const stale = await keys.mint(newId(), newId(), { issuedAtOffsetSeconds: -30 });
  expect((await outcomeOf(stale)).outcome).toBe(CLOSE_UNAUTHORIZED);
});
