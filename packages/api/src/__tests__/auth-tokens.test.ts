import { afterAll, describe, expect, test } from "bun:test";
import { createAuthService, verifyRealtimeToken } from "@parley/auth";
import { captureConsole, connectTestPublisher, createTestIds } from "@parley/auth/testing";
import { schema } from "@parley/db";
import {
  clientRevokeSubject,
  ERROR_REASON,
  REALTIME_TOKEN_TTL_SECONDS,
  ZRevokeEvent,
} from "@parley/protocol";
import { TEST_NATS_URL } from "@parley/testkit";
import { and, eq, sql } from "drizzle-orm";
import { authFixture, dumpAllRows } from "./auth-harness";

const logs = captureConsole();
/** Every secret this file sees; none may appear in the database or the logs. */
const secrets: string[] = [];
const PASSWORD = "tr0ub4dor & 3 horses";

const h = await authFixture("authtok");
afterAll(async () => {
  logs.restore();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signUp(handle: string) {
  const result = await h.signUpWithTokens(handle, PASSWORD);
  secrets.push(result.accessToken, result.refreshToken);
  return result;
}

async function signInAgain(handle: string, clientName: string) {
  const { call } = await h.caller({}, "10.1.0.1");
  const result = await call.auth.signIn({ handle, password: PASSWORD, mode: "token", clientName });
  if (result.mode !== "token") throw new Error("expected token mode");
  secrets.push(result.accessToken, result.refreshToken);
  return result;
}

async function refresh(refreshToken: string) {
  const { call } = await h.caller();
  const result = await call.auth.refresh({ refreshToken });
  secrets.push(result.accessToken, result.refreshToken);
  return result;
}

/** A refusal's reason code, as the API's error formatter hands it to clients in `data.details`. */
const refusedFor = (reason: string) => ({ code: "UNAUTHORIZED", cause: { details: { reason } } });

/** Moves a refresh token's rotation into the past, as if the grace had run out. */
async function ageRotation(userId: string, seconds: number) {
  await h.testDb.db
    .update(schema.clientSessions)
    .set({ rotatedAt: sql`${schema.clientSessions.rotatedAt} - INTERVAL ${seconds} SECOND` })
    .where(and(eq(schema.clientSessions.userId, userId), eq(schema.clientSessions.kind, "refresh")));
}

describe("refresh tokens", () => {
  test("refresh rotates: a new refresh token and a working access token", async () => {
    const first = await signUp("dave");
    const next = await refresh(first.refreshToken);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    const { call } = await h.caller(bearer(next.accessToken));
    expect((await call.user.me()).clientId).toBe(first.clientId);
    // The successor rotates again.
    const third = await refresh(next.refreshToken);
    expect(third.refreshToken).not.toBe(next.refreshToken);
  });

  test("two concurrent refreshes with the same token both succeed with the same successor", async () => {
    const first = await signUp("erin");
    const [a, b] = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(a.refreshToken).toBe(b.refreshToken);
    // Within the grace, a late retry (lost response) still gets that same successor.
    const late = await refresh(first.refreshToken);
    expect(late.refreshToken).toBe(a.refreshToken);
    // And the successor is a live token.
    const after = await refresh(a.refreshToken);
    expect(after.refreshToken).not.toBe(a.refreshToken);
  });

  test("a spent token after the grace is refused and revokes the family and the client", async () => {
    const first = await signUp("frank");
    const other = await signInAgain("frank", "frank's laptop");
    const next = await refresh(first.refreshToken);
    await ageRotation(first.userId, h.config.refreshGraceSeconds + 5);
    const reused = refresh(first.refreshToken);
    await expect(reused).rejects.toThrow("refresh token already used: this client was signed out");
    await expect(reused).rejects.toMatchObject(refusedFor(ERROR_REASON.REFRESH_TOKEN_REUSED));
    // The whole family is dead, including the successor nobody had reused.
    await expect(refresh(next.refreshToken)).rejects.toThrow("refresh token revoked: sign in again");
    await expect(refresh(next.refreshToken)).rejects.toMatchObject(
      refusedFor(ERROR_REASON.REFRESH_TOKEN_REVOKED),
    );
    // The client is revoked: its access token no longer works.
    const revoked = await h.caller(bearer(next.accessToken));
    await expect(revoked.call.user.me()).rejects.toThrow("this client was signed out");
    await expect(revoked.call.user.me()).rejects.toMatchObject(refusedFor(ERROR_REASON.CLIENT_SIGNED_OUT));
    // The user's other client is untouched.
    const otherCaller = await h.caller(bearer(other.accessToken));
    expect((await otherCaller.call.user.me()).clientId).toBe(other.clientId);
    expect((await refresh(other.refreshToken)).refreshToken).toBeString();
  });

  test("garbage and unknown refresh tokens are refused", async () => {
    await expect(refresh("not-a-token")).rejects.toThrow("invalid refresh token");
    await expect(refresh("not-a-token")).rejects.toMatchObject(
      refusedFor(ERROR_REASON.REFRESH_TOKEN_INVALID),
    );
    await expect(refresh(`123456.${"A".repeat(43)}`)).rejects.toThrow("unknown refresh token");
    await expect(refresh(`123456.${"A".repeat(43)}`)).rejects.toMatchObject(
      refusedFor(ERROR_REASON.REFRESH_TOKEN_UNKNOWN),
    );
  });
});

describe("clients and revocation", () => {
  test("revoking one client leaves the others working, publishes the revoke, and refuses it within 5 s elsewhere", async () => {
    const phone = await signUp("grace");
    const laptop = await signInAgain("grace", "grace's laptop");

    // A second API "process": its own AuthService and revocation cache over the same database.
    const elsewhere = createAuthService(h.config, {
      db: h.testDb.db,
      redis: h.redis,
      events: h.nats.events,
      ids: createTestIds(),
    });
    const phoneViewer = { userId: phone.userId, clientId: phone.clientId, via: "bearer" as const };
    expect(await elsewhere.isClientRevoked(phoneViewer)).toBe(false);

    const subscriber = await connectTestPublisher(TEST_NATS_URL);
    const subscription = subscriber.nc.subscribe(clientRevokeSubject(phone.clientId), { max: 1 });
    await subscriber.nc.flush();
    const received = (async () => {
      for await (const message of subscription) return ZRevokeEvent.parse(message.json());
      return null;
    })();

    const { call } = await h.caller(bearer(laptop.accessToken));
    const listed = await call.user.clients();
    expect(listed.map((client) => client.id).sort()).toEqual([phone.clientId, laptop.clientId].sort());
    expect(await call.user.revokeClient({ clientId: phone.clientId })).toEqual({ revoked: true });
    const revokedAt = Date.now();

    expect(await received).toEqual({ type: "revoke", userId: phone.userId, clientId: phone.clientId });
    await subscriber.close();

    // This process refuses at once; the other within its cache window (≤ 5 s).
    await expect((await h.caller(bearer(phone.accessToken))).call.user.me()).rejects.toThrow(
      "this client was signed out",
    );
    while (!(await elsewhere.isClientRevoked(phoneViewer))) {
      expect(Date.now() - revokedAt).toBeLessThan(5000);
      await Bun.sleep(100);
    }
    // Its refresh token died at once; the laptop still works.
    await expect(refresh(phone.refreshToken)).rejects.toThrow("refresh token revoked: sign in again");
    expect((await call.user.me()).clientId).toBe(laptop.clientId);
    const afterList = await call.user.clients();
    expect(afterList.find((client) => client.id === phone.clientId)?.revokedAt).toBeNumber();
  });

  test("a user cannot revoke another user's client", async () => {
    const heidi = await signUp("heidi");
    const ivan = await signUp("ivan");
    const { call } = await h.caller(bearer(ivan.accessToken));
    await expect(call.user.revokeClient({ clientId: heidi.clientId })).rejects.toThrow("no such client");
    const heidiCaller = await h.caller(bearer(heidi.accessToken));
    expect((await heidiCaller.call.user.me()).id).toBe(heidi.userId);
  });

  test("sign-out revokes this client: its refresh token is refused", async () => {
    const judy = await signUp("judy");
    const { call } = await h.caller(bearer(judy.accessToken));
    expect(await call.auth.signOut()).toEqual({ ok: true });
    await expect(refresh(judy.refreshToken)).rejects.toThrow("refresh token revoked");
    await expect((await h.caller(bearer(judy.accessToken))).call.user.me()).rejects.toThrow(
      "this client was signed out",
    );
  });
});

describe("realtime tokens", () => {
  test("minted for the caller, ≤ 60 s, verified with the public key alone", async () => {
    const kim = await signUp("kim");
    const { call } = await h.caller(bearer(kim.accessToken));
    const minted = await call.auth.realtimeToken();
    secrets.push(minted.token);
    expect(minted.expiresAt - Date.now()).toBeLessThanOrEqual(REALTIME_TOKEN_TTL_SECONDS * 1000);
    const verified = await verifyRealtimeToken(h.config.realtimeTokenPublicKey, minted.token);
    expect(verified).toMatchObject({ userId: kim.userId, clientId: kim.clientId });
    // The access-token key cannot stand in for the realtime key, nor vice versa.
    await expect(verifyRealtimeToken(h.config.accessTokenPublicKey, minted.token)).rejects.toThrow(
      "invalid realtime token",
    );
    await expect(verifyRealtimeToken(h.config.realtimeTokenPublicKey, kim.accessToken)).rejects.toThrow(
      "invalid realtime token",
    );
    const anonymous = await h.caller();
    await expect(anonymous.call.auth.realtimeToken()).rejects.toThrow("sign in required");
  });
});

describe("secrets at rest and in logs", () => {
  test("no password or token appears in clear in any table or in the logs", async () => {
    // Provoke the error paths too: they are where secrets usually leak into logs.
    await refresh("bogus").catch(() => {});
    await h.caller(bearer("not.a.jwt")).catch(() => {});
    const rows = await dumpAllRows(h);
    expect(rows).toContain("client_sessions");
    expect(secrets.length).toBeGreaterThan(10);
    const needles = [PASSWORD, ...secrets, ...secrets.map((secret) => secret.split(".").pop() ?? secret)];
    for (const needle of needles) {
      expect(rows.includes(needle)).toBe(false);
      expect(logs.text().includes(needle)).toBe(false);
    }
    // The stored password is an argon2id hash.
    expect(rows).toContain("$argon2id$");
  });

  test("no statement scattered across shards", () => {
    expect(h.testDb.statements.size).toBeGreaterThan(5);
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
