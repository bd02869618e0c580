import { beforeAll, expect, test } from "bun:test";
import {
  PRESENCE_TICKET_AUDIENCE,
  PRESENCE_TICKET_PEERS_CLAIM,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_ISSUER,
} from "@parley/protocol";
import { failure, type SecurityHarness, securityFixture } from "./security-harness";

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let alice: User;
let bob: User;
let carol: User;
let mallory: User;

const h = await securityFixture("presticket");

beforeAll(async () => {
  [alice, bob, carol, mallory] = await Promise.all([
    h.user("alice"),
    h.user("bob"),
    h.user("carol"),
    h.user("mallory"),
  ]);
  await alice.call.dialog.openDirect({ userId: bob.userId });
  await alice.call.dialog.createGroup({ title: "book club", memberIds: [carol.userId] });
});

const fromBase64Url = (part: string) => Buffer.from(part, "base64url");

/** The ticket's claims once its Ed25519 signature checks out with the realtime public key (as a gateway does). */
async function claimsOf(ticket: string, audience: string): Promise<Record<string, unknown>> {
  const [header = "", payload = "", signature = ""] = ticket.split(".");
  const der = fromBase64Url(
    h.config.realtimeTokenPublicKey.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""),
  );
  const key = await crypto.subtle.importKey("spki", der, { name: "Ed25519" }, false, ["verify"]);
  const signed = new TextEncoder().encode(`${header}.${payload}`);
  if (!(await crypto.subtle.verify("Ed25519", key, fromBase64Url(signature), signed))) {
    throw new Error("bad signature");
  }
  const claims = JSON.parse(fromBase64Url(payload).toString()) as Record<string, unknown>;
  if (claims.iss !== REALTIME_TOKEN_ISSUER || claims.aud !== audience) throw new Error("wrong audience");
  return claims;
}

test("a ticket names only the asked users who share a dialog with the caller, bound to its client", async () => {
  const unknown = "1234567890123";
  const answer = await alice.call.presence.ticket({
    userIds: [bob.userId, carol.userId, mallory.userId, unknown, alice.userId, bob.userId],
  });
  expect(answer.userIds.sort()).toEqual([bob.userId, carol.userId].sort());
  const claims = await claimsOf(answer.ticket, PRESENCE_TICKET_AUDIENCE);
  expect(claims.sub).toBe(alice.userId);
  expect(claims.cid).toBe(alice.clientId);
  expect((claims[PRESENCE_TICKET_PEERS_CLAIM] as string[]).sort()).toEqual(answer.userIds.sort());
  expect(answer.expiresAt).toBe(Number(claims.exp) * 1000);
});

test("a stranger's ticket names nobody; a ticket is not a realtime token", async () => {
  const answer = await mallory.call.presence.ticket({ userIds: [alice.userId, bob.userId] });
  expect(answer.userIds).toEqual([]);
  expect(await failure(() => claimsOf(answer.ticket, REALTIME_TOKEN_AUDIENCE))).not.toBeNull();
});

test("more ids than one socket may watch are refused", async () => {
  const ids = Array.from({ length: 101 }, (_, i) => String(1_000_000_000_000n + BigInt(i)));
  expect(await failure(() => alice.call.presence.ticket({ userIds: ids }))).toMatchObject({
    code: "BAD_REQUEST",
  });
});
