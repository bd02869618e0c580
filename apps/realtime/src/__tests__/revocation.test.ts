import { expect, test } from "bun:test";
import { CLOSE_REVOKED, CLOSE_UNAUTHORIZED, clientRevokeSubject } from "@parley/protocol";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";

const fx = useGatewayFixture();
const { newId, outcomeOf } = fx;

test("a token minted before its client was revoked opens no socket afterwards (CLOSE_REVOKED)", async () => {
  const userId = newId();
  const revokedClient = newId();
  const keptClient = newId();
  const early = await fx.keys.mint(userId, revokedClient);
  const open = await outcomeOf(await fx.keys.mint(userId, revokedClient));
  expect(open.outcome).toBe("hello");

  fx.nc.publish(
    clientRevokeSubject(revokedClient),
    JSON.stringify({ type: "revoke", userId, clientId: revokedClient }),
  );
  expect((await open.probe.closed).code).toBe(CLOSE_REVOKED);

  expect((await outcomeOf(early)).outcome).toBe(CLOSE_REVOKED);
  expect((await outcomeOf(await fx.keys.mint(userId, revokedClient))).outcome).toBe(CLOSE_REVOKED);
  // The user's other clients are not touched.
  expect((await outcomeOf(await fx.keys.mint(userId, keptClient))).outcome).toBe("hello");
});

test("a token minted before the gateway could hear revokes is refused (a revoke it missed may cover it)", async () => {
  const stale = await fx.keys.mint(newId(), newId(), { issuedAtOffsetSeconds: -30 });
  expect((await outcomeOf(stale)).outcome).toBe(CLOSE_UNAUTHORIZED);
});
