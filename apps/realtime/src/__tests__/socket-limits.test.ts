import { afterAll, beforeAll, expect, test } from "bun:test";
import { CLOSE_TOO_MANY_SOCKETS } from "@parley/protocol";
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
const probes: WsProbe[] = [];
let nextId = BigInt(Date.now()) * 1000n;
const newId = () => String(++nextId);

beforeAll(async () => {
  await requireNats();
  nats = await startNatsServer();
  keys = await createTokenMint();
  gateway = await startGatewayProcess({
    natsUrl: nats.url,
    publicKeyPem: keys.publicKeyPem,
    env: { MAX_SOCKETS_PER_CLIENT: "3", MAX_SOCKETS_PER_USER: "5" },
  });
});

afterAll(async () => {
  for (const probe of probes) probe.ws.close();
  await gateway?.kill("SIGKILL");
  await nats?.stop();
});

/** Opens a socket and reports how it ended up: "hello" or its close code. */
async function open(
  userId: string,
  clientId: string,
): Promise<{ probe: WsProbe; outcome: number | "hello" }> {
  const probe = openProbe(`${gateway.wsUrl}?token=${await keys.mint(userId, clientId)}`);
  probes.push(probe);
  const outcome = await Promise.race([
    probe.waitFor((f) => f.type === "hello").then(() => "hello" as const),
    probe.closed.then((closed) => closed.code),
  ]);
  return { probe, outcome };
}

test("one client holds at most MAX_SOCKETS_PER_CLIENT sockets; more are closed with CLOSE_TOO_MANY_SOCKETS", async () => {
  const userId = newId();
  const clientId = newId();
  const held: WsProbe[] = [];
  for (let i = 0; i < 3; i++) {
    const { probe, outcome } = await open(userId, clientId);
    expect(outcome).toBe("hello");
    held.push(probe);
  }
  expect((await open(userId, clientId)).outcome).toBe(CLOSE_TOO_MANY_SOCKETS);
  // Another client of the same user still gets in.
  expect((await open(userId, newId())).outcome).toBe("hello");

  // A closed socket frees its slot.
  held[0]?.ws.close();
  await held[0]?.closed;
  await Bun.sleep(100);
  expect((await open(userId, clientId)).outcome).toBe("hello");
});

test("one user holds at most MAX_SOCKETS_PER_USER sockets over all its clients; other users are not affected", async () => {
  const userId = newId();
  for (let i = 0; i < 5; i++) expect((await open(userId, newId())).outcome).toBe("hello");
  expect((await open(userId, newId())).outcome).toBe(CLOSE_TOO_MANY_SOCKETS);
  expect((await open(newId(), newId())).outcome).toBe("hello");
});
