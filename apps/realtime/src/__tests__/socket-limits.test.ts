import { expect, test } from "bun:test";
import { CLOSE_TOO_MANY_SOCKETS } from "@parley/protocol";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";
import type { WsProbe } from "@parley/testkit/ws-probe";

const fx = useGatewayFixture({ env: { MAX_SOCKETS_PER_CLIENT: "3", MAX_SOCKETS_PER_USER: "5" } });
const { newId } = fx;

/** Opens a socket and reports how it ended up: "hello" or its close code. */
const open = async (userId: string, clientId: string) => fx.outcomeOf(await fx.keys.mint(userId, clientId));

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
