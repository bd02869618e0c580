/**
 * The worker's cleanup of dead auth rows, against the real auth service on a real database: what it
 * deletes and when, that it never weakens a token answer while the token could still be valid, and
 * that it stops between batches once the lease is gone. Rows are aged with keyed UPDATEs and the
 * cleanup takes a `now`, so nothing here sleeps or races a clock.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { captureConsole } from "@parley/auth/testing";
import {
  type CleanupOptions,
  type CleanupResult,
  cleanupAuthRows,
  startShardWorker,
} from "@parley/core/jobs";
import { schema } from "@parley/db";
import { and, eq, isNotNull } from "drizzle-orm";
import { authFixture } from "./auth-harness";

const { clientSessions, userClients } = schema;
const logs = captureConsole();
const PASSWORD = "a long enough password";
const COOKIE = "parley_session";
const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION: CleanupOptions = { tokenRetentionMs: 7 * DAY_MS, deviceRetentionMs: 90 * DAY_MS };

const h = await authFixture("cleanup");
afterAll(async () => {
  logs.restore();
});

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cleanup = (options: CleanupOptions = {}) => cleanupAuthRows(h.testDb.db, { ...RETENTION, ...options });

async function signUpPhone(handle: string) {
  return h.signUpWithTokens(handle, PASSWORD, `${handle}'s phone`);
}

async function signInPhone(handle: string) {
  const { call } = await h.caller();
  const result = await call.auth.signIn({ handle, password: PASSWORD, mode: "token", clientName: "phone" });
  if (result.mode !== "token") throw new Error("expected token mode");
  return result;
}

/** One sign-up and `count - 1` more sign-ins of the same user: a phone each. */
async function signUpPhones(handle: string, count: number) {
  const phones = [await signUpPhone(handle)];
  while (phones.length < count) phones.push(await signInPhone(handle));
  return phones;
}

async function refresh(refreshToken: string) {
  const { call } = await h.caller();
  return call.auth.refresh({ refreshToken });
}

/** A browser: cookie-mode sign-up, as the web app does it; its cookie opens tabs. */
async function signUpBrowser(handle: string) {
  const { call, resHeaders } = await h.caller({ "user-agent": "parley-test/1.0" });
  const result = await call.auth.signUp({ handle, displayName: handle, password: PASSWORD, mode: "cookie" });
  const cookie = resHeaders
    .getSetCookie()
    .find((value) => value.startsWith(`${COOKIE}=`))
    ?.split(";")[0];
  if (!cookie) throw new Error("no session cookie");
  const headers = { cookie, "user-agent": "parley-test/1.0" };
  return {
    userId: result.userId,
    clientId: result.clientId,
    openTab: async () => (await h.caller(headers)).call.auth.openTab(),
    clients: async () => (await h.caller(headers)).call.user.clients(),
  };
}

type Client = { userId: string; clientId: string };
const clientKey = (client: Client) =>
  and(eq(clientSessions.userId, client.userId), eq(clientSessions.clientId, client.clientId));

/** Every token row of one client expires (expired) at `expiresAt`. */
async function expireTokens(client: Client, expiresAt: Date) {
  await h.testDb.db.update(clientSessions).set({ expiresAt }).where(clientKey(client));
}

/** The client's rotated (spent) token rows expire (expired) at `expiresAt`. */
async function expireSpentTokens(client: Client, expiresAt: Date) {
  await h.testDb.db
    .update(clientSessions)
    .set({ expiresAt })
    .where(and(clientKey(client), isNotNull(clientSessions.rotatedAt)));
}

/** Marks a client revoked at `revokedAt` (as `user.revokeClient` would have, back then). */
async function revokeAt(client: Client, revokedAt: Date) {
  await h.testDb.db
    .update(userClients)
    .set({ revokedAt })
    .where(and(eq(userClients.userId, client.userId), eq(userClients.clientId, client.clientId)));
  await h.testDb.db.update(clientSessions).set({ revokedAt }).where(clientKey(client));
}

async function tokenRowCount(client: Client): Promise<number> {
  return (await h.testDb.db.select().from(clientSessions).where(clientKey(client))).length;
}

async function clientExists(client: Client): Promise<boolean> {
  const rows = await h.testDb.db
    .select()
    .from(userClients)
    .where(and(eq(userClients.userId, client.userId), eq(userClients.clientId, client.clientId)));
  return rows.length === 1;
}

/** Whether the client row and its token rows are still there, e.g. { client: true, tokens: 1 }. */
async function stateOf(client: Client) {
  return { client: await clientExists(client), tokens: await tokenRowCount(client) };
}

describe("cleanup of expired sessions and refresh tokens", () => {
  test("rows expired beyond the retention go; live and recently expired rows stay; devices stay listed", async () => {
    const [live, recent, old] = await signUpPhones("carol", 3);
    if (!live || !recent || !old) throw new Error("no phone");
    await expireTokens(recent, daysAgo(6));
    await expireTokens(old, daysAgo(8));
    const browser = await signUpBrowser("carol-browser");
    const oldSession: Client = { userId: browser.userId, clientId: browser.clientId };
    const liveBrowser = await signUpBrowser("carol-browser-2");
    await expireTokens(oldSession, daysAgo(30));

    const result = await cleanup();

    expect(result.expiredTokens).toBeGreaterThanOrEqual(2);
    expect(await stateOf(live)).toEqual({ client: true, tokens: 1 });
    expect(await stateOf(recent)).toEqual({ client: true, tokens: 1 });
    // The token row goes; the device itself (not revoked, not a tab) stays on the devices page.
    expect(await stateOf(old)).toEqual({ client: true, tokens: 0 });
    expect(await stateOf(oldSession)).toEqual({ client: true, tokens: 0 });
    expect(await stateOf({ userId: liveBrowser.userId, clientId: liveBrowser.clientId })).toEqual({
      client: true,
      tokens: 1,
    });
    // The untouched phone still works end to end.
    expect((await refresh(live.refreshToken)).refreshToken).toBeString();
  });
});

describe("cleanup of dead clients", () => {
  test("dead tabs beyond the retention go with their tokens; live tabs and recent deaths stay", async () => {
    const browser = await signUpBrowser("dora");
    const [liveTab, lapsedOld, lapsedRecent, revokedOld, revokedRecent] = await Promise.all(
      Array.from({ length: 5 }, () => browser.openTab()),
    );
    if (!liveTab || !lapsedOld || !lapsedRecent || !revokedOld || !revokedRecent) throw new Error("no tab");
    await expireTokens(lapsedOld, daysAgo(8));
    await expireTokens(lapsedRecent, daysAgo(6));
    // A live tab that rotated long ago: its spent first token is long expired, its successor is live.
    const liveTabNext = await refresh(liveTab.refreshToken);
    await expireSpentTokens(liveTab, daysAgo(8));
    // Revoked long ago: its (revoked) refresh token has not even expired, yet the tab is dead.
    await revokeAt(revokedOld, daysAgo(8));
    await revokeAt(revokedRecent, daysAgo(6));

    const result = await cleanup();

    expect(result.lapsedTabs).toBeGreaterThanOrEqual(1);
    expect(result.revokedClients).toBeGreaterThanOrEqual(1);
    expect(await stateOf(lapsedOld)).toEqual({ client: false, tokens: 0 });
    expect(await stateOf(revokedOld)).toEqual({ client: false, tokens: 0 });
    expect(await stateOf(liveTab)).toEqual({ client: true, tokens: 1 });
    expect(await stateOf(lapsedRecent)).toEqual({ client: true, tokens: 1 });
    expect(await stateOf(revokedRecent)).toEqual({ client: true, tokens: 1 });
    expect(await stateOf(browser)).toEqual({ client: true, tokens: 1 });
    // The live tab keeps refreshing; the browser's devices page lists what is left.
    expect((await refresh(liveTabNext.refreshToken)).refreshToken).toBeString();
    const listed = (await browser.clients()).map((client) => client.id);
    expect(listed).toContain(liveTab.clientId);
    expect(listed).not.toContain(lapsedOld.clientId);
    expect(listed).not.toContain(revokedOld.clientId);
  });

  test("revoked devices stay listed for the device retention, then go with their tokens", async () => {
    const [kept, longGone, recentlyRevoked] = await signUpPhones("eddie", 3);
    if (!kept || !longGone || !recentlyRevoked) throw new Error("no phone");
    await revokeAt(longGone, daysAgo(91));
    await revokeAt(recentlyRevoked, daysAgo(30));

    await cleanup();

    expect(await stateOf(longGone)).toEqual({ client: false, tokens: 0 });
    expect(await stateOf(recentlyRevoked)).toEqual({ client: true, tokens: 1 });
    const { call } = await h.caller(bearer(kept.accessToken));
    const listed = await call.user.clients();
    expect(listed.map((client) => client.id)).not.toContain(longGone.clientId);
    expect(listed.find((client) => client.id === recentlyRevoked.clientId)?.revokedAt).toBeNumber();
  });
});

describe("cleanup never weakens a token answer while the token could be valid", () => {
  /** A pass with the cutoff at this very moment: the most any retention could ever delete. */
  const cleanupEverythingExpired = () => cleanup({ now: () => new Date(Date.now() + 7 * DAY_MS) });

  test("a live refresh token still refreshes after cleanup, and so does its successor", async () => {
    const [phone, lapsed] = await signUpPhones("fay", 2);
    if (!phone || !lapsed) throw new Error("no phone");
    await expireTokens(lapsed, new Date(Date.now() - 1_000));

    await cleanupEverythingExpired();

    expect(await tokenRowCount(lapsed)).toBe(0);
    const next = await refresh(phone.refreshToken);
    expect((await refresh(next.refreshToken)).refreshToken).toBeString();
  });

  test("a spent refresh token replayed within its validity still revokes its family after cleanup", async () => {
    const phone = await signUpPhone("gus");
    const next = await refresh(phone.refreshToken);
    // The spent row: past the grace, and a minute from its own expiry.
    await h.testDb.db
      .update(clientSessions)
      .set({ rotatedAt: new Date(Date.now() - 120_000) })
      .where(and(clientKey(phone), isNotNull(clientSessions.rotatedAt)));
    await expireSpentTokens(phone, new Date(Date.now() + 60_000));

    await cleanupEverythingExpired();

    await expect(refresh(phone.refreshToken)).rejects.toThrow(
      "refresh token already used: this client was signed out",
    );
    await expect(refresh(next.refreshToken)).rejects.toThrow("refresh token revoked: sign in again");
  });
});

describe("cleanup under the lease", () => {
  /** `count` token rows of one fresh client, expired in 2001: older than anything else here. */
  async function seedAncientRows(handle: string, count: number): Promise<Client> {
    const phone = await signUpPhone(handle);
    const [row] = await h.testDb.db.select().from(clientSessions).where(clientKey(phone));
    if (!row) throw new Error("no refresh row");
    const copies = Array.from({ length: count - 1 }, (_, i) => ({
      ...row,
      tokenHash: `${i}`.padStart(64, "0"),
    }));
    await h.testDb.db.insert(clientSessions).values(copies);
    await expireTokens(phone, new Date("2001-01-01T00:00:00Z"));
    return phone;
  }

  test("stops between batches once the lease is no longer held", async () => {
    const phone = await seedAncientRows("hal", 5);
    expect(await cleanup({ batchSize: 2, shouldContinue: () => false })).toMatchObject({
      expiredTokens: 0,
      revokedClients: 0,
    });
    expect(await tokenRowCount(phone)).toBe(5);

    // The lease holds for the first batch only.
    let checks = 0;
    const result = await cleanup({ batchSize: 2, shouldContinue: () => checks++ === 0 });
    expect(result.expiredTokens).toBe(2);
    expect(await tokenRowCount(phone)).toBe(3);

    // With the lease, passes drain the rest; a pass that ends on a full batch says more is waiting.
    const bounded = await cleanup({ batchSize: 2, maxBatches: 1 });
    expect(bounded).toMatchObject({ expiredTokens: 2, hasMore: true });
    await cleanup({ batchSize: 2 });
    expect(await tokenRowCount(phone)).toBe(0);
  });

  test("the shard worker runs a cleanup pass while it holds the lease", async () => {
    const phone = await seedAncientRows("ivy", 3);
    const passes: CleanupResult[] = [];
    const worker = startShardWorker({
      db: h.testDb.db,
      events: h.services.events,
      shard: "cleanup-test",
      holder: "cleanup-test-holder",
      tickMs: 20,
      cleanup: { ...RETENTION, intervalMs: 60_000 },
      onTick: ({ cleanup }) => {
        if (cleanup) passes.push(cleanup);
      },
    });
    try {
      const deadline = Date.now() + 10_000;
      while (passes.length === 0 && Date.now() < deadline) await Bun.sleep(10);
    } finally {
      await worker.stop();
    }
    // One pass on taking the lease; the next is a minute away.
    expect(passes).toHaveLength(1);
    expect(passes[0]?.expiredTokens).toBeGreaterThanOrEqual(3);
    expect(await tokenRowCount(phone)).toBe(0);
  });
});
