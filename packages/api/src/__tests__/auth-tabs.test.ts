/**
 * Browser tabs as clients of their own: `auth.openTab` with the browser's cookie
 * creates a child client with its own token pair; revoking the browser revokes its tabs, revoking a
 * tab only that tab; signing out of a tab signs the browser out.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { captureConsole, connectTestPublisher } from "@parley/auth/testing";
import { schema } from "@parley/db";
import { clientRevokeSubject, ERROR_REASON, ZRevokeEvent } from "@parley/protocol";
import { TEST_NATS_URL } from "@parley/testkit";
import { and, eq } from "drizzle-orm";
import { authFixture } from "./auth-harness";

const logs = captureConsole();
const MAX_TABS = 5;
const COOKIE = "parley_session";
const PASSWORD = "a long enough password";
const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";

const h = await authFixture("authtabs", {
  tabRateLimit: { maxTabsPerBrowser: MAX_TABS, windowSeconds: 60 },
});
afterAll(async () => {
  logs.restore();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A browser: cookie-mode sign-up (or sign-in), as the web app does it. */
async function browserSignUp(handle: string, existing = false) {
  const { call, resHeaders } = await h.caller({ "user-agent": CHROME });
  const result = existing
    ? await call.auth.signIn({ handle, password: PASSWORD, mode: "cookie" })
    : await call.auth.signUp({ handle, displayName: handle, password: PASSWORD, mode: "cookie" });
  const session = resHeaders
    .getSetCookie()
    .find((cookie) => cookie.startsWith(`${COOKIE}=`))
    ?.split(";")[0];
  if (!session) throw new Error("no session cookie");
  return {
    userId: result.userId,
    clientId: result.clientId,
    cookie: { cookie: session, "user-agent": CHROME },
  };
}

async function openTab(cookie: Record<string, string>, name?: string) {
  const { call } = await h.caller(cookie);
  return call.auth.openTab(name ? { name } : undefined);
}

/** Resolves with the revoke events seen for these clients (waits until each arrived once). */
async function watchRevokes(clientIds: string[]) {
  const subscriber = await connectTestPublisher(TEST_NATS_URL);
  const seen = new Set<string>();
  const done = Promise.all(
    clientIds.map(async (clientId) => {
      const subscription = subscriber.nc.subscribe(clientRevokeSubject(clientId), { max: 1 });
      for await (const message of subscription) {
        seen.add(ZRevokeEvent.parse(message.json()).clientId);
      }
    }),
  );
  await subscriber.nc.flush();
  return {
    seen,
    async settle(ms = 1000) {
      await Promise.race([done, Bun.sleep(ms)]);
      await subscriber.close();
      return [...seen].sort();
    },
  };
}

describe("auth.openTab", () => {
  test("only the browser's cookie opens a tab: bearer callers are FORBIDDEN, no credential is UNAUTHORIZED", async () => {
    const browser = await browserSignUp("tabonly");
    const tab = await openTab(browser.cookie);
    // A tab's own token cannot mint more tabs.
    await expect(h.caller(bearer(tab.accessToken)).then(({ call }) => call.auth.openTab())).rejects.toThrow(
      "tabs are opened with the browser session",
    );
    // Nor can a token-mode client (phone, CLI).
    const phone = await h.signUpWithTokens("tabphone");
    await expect(
      h.caller(bearer(phone.accessToken)).then(({ call }) => call.auth.openTab()),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(h.caller({}).then(({ call }) => call.auth.openTab())).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  test("each tab is a client of its own, linked to its browser, with a working token pair", async () => {
    const browser = await browserSignUp("tabkids");
    const one = await openTab(browser.cookie);
    const two = await openTab(browser.cookie, "Reading tab");
    expect(one.userId).toBe(browser.userId);
    expect(one.parentClientId).toBe(browser.clientId);
    expect(new Set([browser.clientId, one.clientId, two.clientId]).size).toBe(3);
    expect(one.expiresAt).toBeGreaterThan(Date.now());

    const asOne = (await h.caller(bearer(one.accessToken))).call;
    const me = await asOne.user.me();
    expect(me.clientId).toBe(one.clientId);
    const clients = await asOne.user.clients();
    const byId = new Map(clients.map((client) => [client.id, client]));
    expect(byId.get(browser.clientId)?.parentClientId).toBeNull();
    expect(byId.get(one.clientId)).toMatchObject({
      kind: "browser",
      parentClientId: browser.clientId,
      name: "Chrome on Linux — tab",
      current: true,
    });
    expect(byId.get(two.clientId)).toMatchObject({ parentClientId: browser.clientId, name: "Reading tab" });
    // The tab mints its own realtime token (its socket identity is the tab's client id).
    expect((await asOne.auth.realtimeToken()).token).toBeString();
  });

  test("a tab's refresh token rotates like any token client's", async () => {
    const browser = await browserSignUp("tabfresh");
    const tab = await openTab(browser.cookie);
    const { call } = await h.caller();
    const next = await call.auth.refresh({ refreshToken: tab.refreshToken });
    expect(next.refreshToken).not.toBe(tab.refreshToken);
    const me = await (await h.caller(bearer(next.accessToken))).call.user.me();
    expect(me.clientId).toBe(tab.clientId);
    const again = await (await h.caller()).call.auth.refresh({ refreshToken: next.refreshToken });
    expect((await (await h.caller(bearer(again.accessToken))).call.user.me()).clientId).toBe(tab.clientId);
  });

  test("revoking one tab revokes only that tab", async () => {
    const browser = await browserSignUp("tabsolo");
    const one = await openTab(browser.cookie);
    const two = await openTab(browser.cookie);
    const revokes = await watchRevokes([one.clientId, two.clientId, browser.clientId]);
    const asTwo = (await h.caller(bearer(two.accessToken))).call;
    expect(await asTwo.user.revokeClient({ clientId: one.clientId })).toEqual({ revoked: true });
    expect(await revokes.settle()).toEqual([one.clientId]);

    await expect((await h.caller(bearer(one.accessToken))).call.user.me()).rejects.toThrow(
      "this client was signed out",
    );
    await expect((await h.caller()).call.auth.refresh({ refreshToken: one.refreshToken })).rejects.toThrow(
      "refresh token revoked",
    );
    expect((await asTwo.user.me()).clientId).toBe(two.clientId);
    expect((await (await h.caller(browser.cookie)).call.user.me()).clientId).toBe(browser.clientId);
    // The browser can open a fresh tab.
    expect((await openTab(browser.cookie)).parentClientId).toBe(browser.clientId);
  });

  test("revoking the browser revokes every tab of it (one shard) and publishes a revoke for each", async () => {
    const browser = await browserSignUp("tabcascade");
    const one = await openTab(browser.cookie);
    const two = await openTab(browser.cookie);
    const phone = await (await h.caller()).call.auth.signIn({
      handle: "tabcascade",
      password: PASSWORD,
      mode: "token",
      clientName: "phone",
    });
    if (phone.mode !== "token") throw new Error("expected token mode");
    const revokes = await watchRevokes([browser.clientId, one.clientId, two.clientId, phone.clientId]);

    const asPhone = (await h.caller(bearer(phone.accessToken))).call;
    expect(await asPhone.user.revokeClient({ clientId: browser.clientId })).toEqual({ revoked: true });
    expect(await revokes.settle(3000)).toEqual([browser.clientId, one.clientId, two.clientId].sort());

    for (const tab of [one, two]) {
      await expect((await h.caller(bearer(tab.accessToken))).call.user.me()).rejects.toThrow(
        "this client was signed out",
      );
      await expect((await h.caller()).call.auth.refresh({ refreshToken: tab.refreshToken })).rejects.toThrow(
        "refresh token revoked",
      );
    }
    await expect((await h.caller(browser.cookie)).call.user.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const listed = await asPhone.user.clients();
    for (const id of [browser.clientId, one.clientId, two.clientId]) {
      expect(listed.find((client) => client.id === id)?.revokedAt).toBeNumber();
    }
    expect(listed.find((client) => client.id === phone.clientId)?.revokedAt).toBeNull();
    expect((await asPhone.user.me()).clientId).toBe(phone.clientId);
  });

  test("signing out of a tab signs the whole browser out and clears the cookie", async () => {
    const browser = await browserSignUp("tabout");
    const one = await openTab(browser.cookie);
    const two = await openTab(browser.cookie);
    const revokes = await watchRevokes([browser.clientId, one.clientId, two.clientId]);
    const { call, resHeaders } = await h.caller({
      ...bearer(one.accessToken),
      cookie: browser.cookie.cookie,
    });
    expect(await call.auth.signOut()).toEqual({ ok: true });
    expect(resHeaders.getSetCookie().some((cookie) => cookie.startsWith(`${COOKIE}=;`))).toBe(true);
    expect(await revokes.settle(3000)).toEqual([browser.clientId, one.clientId, two.clientId].sort());
    await expect((await h.caller(bearer(two.accessToken))).call.user.me()).rejects.toThrow(
      "this client was signed out",
    );
    await expect((await h.caller(browser.cookie)).call.user.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  test("tab creation is rate-limited per browser", async () => {
    const browser = await browserSignUp("tablimit");
    const other = await browserSignUp("tablimit", true);
    for (let i = 0; i < MAX_TABS; i++) await openTab(browser.cookie);
    await expect(openTab(browser.cookie)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // Nothing was created for the refused call.
    const listed = await (await h.caller(browser.cookie)).call.user.clients();
    expect(listed.filter((client) => client.parentClientId === browser.clientId)).toHaveLength(MAX_TABS);
    // Another browser of the same user has its own budget.
    expect((await openTab(other.cookie)).parentClientId).toBe(other.clientId);
  });
});

const { clientSessions, userClients } = schema;
const HOUR = 60 * 60 * 1000;

/** The refresh tokens of one client, straight from its user's shard. */
async function refreshRows(userId: string, clientId: string) {
  return h.testDb.db
    .select({ expiresAt: clientSessions.expiresAt, rotatedAt: clientSessions.rotatedAt })
    .from(clientSessions)
    .where(
      and(
        eq(clientSessions.userId, userId),
        eq(clientSessions.clientId, clientId),
        eq(clientSessions.kind, "refresh"),
      ),
    );
}

/** What a tab left open past its life (or closed long ago) looks like: every refresh token expired. */
async function expireTab(userId: string, clientId: string, ago = 2 * HOUR) {
  await h.testDb.db
    .update(clientSessions)
    .set({ expiresAt: new Date(Date.now() - ago) })
    .where(and(eq(clientSessions.userId, userId), eq(clientSessions.clientId, clientId)));
}

async function clientRevokedAt(userId: string, clientId: string) {
  const rows = await h.testDb.db
    .select({ revokedAt: userClients.revokedAt })
    .from(userClients)
    .where(and(eq(userClients.userId, userId), eq(userClients.clientId, clientId)));
  return rows[0]?.revokedAt;
}

describe("dead tabs", () => {
  test("a tab's refresh token lives TAB_REFRESH_TTL_HOURS (12 h) and every rotation renews it; other clients keep theirs", async () => {
    const browser = await browserSignUp("tabshort");
    const tab = await openTab(browser.cookie);
    const phone = await h.signUpWithTokens("tabshortphone");
    const [first] = await refreshRows(browser.userId, tab.clientId);
    const tabLife = h.config.tabRefreshTtlSeconds * 1000;
    expect(tabLife).toBe(12 * HOUR);
    expect(Math.abs((first?.expiresAt.getTime() ?? 0) - (Date.now() + tabLife))).toBeLessThan(60_000);
    const [phoneRow] = await refreshRows(phone.userId, phone.clientId);
    expect(phoneRow?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 30 * 24 * HOUR);

    // Sliding: the successor of a tab's token gets the tab's life again (not the 60 days).
    await (await h.caller()).call.auth.refresh({ refreshToken: tab.refreshToken });
    const rows = await refreshRows(browser.userId, tab.clientId);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(Math.abs(row.expiresAt.getTime() - (Date.now() + tabLife))).toBeLessThan(60_000);
    }
  });

  test("a tab whose refresh token expired leaves user.clients and is revoked when its browser opens another tab; the live tab and the browser stay", async () => {
    const browser = await browserSignUp("tabdead");
    const dead = await openTab(browser.cookie);
    const live = await openTab(browser.cookie);
    const otherBrowser = await browserSignUp("tabdead", true);
    const otherDead = await openTab(otherBrowser.cookie);
    await expireTab(browser.userId, dead.clientId);
    await expireTab(browser.userId, otherDead.clientId);

    const listed = async () =>
      (await (await h.caller(bearer(live.accessToken))).call.user.clients()).map((client) => client.id);
    const before = await listed();
    expect(before).toContain(browser.clientId);
    expect(before).toContain(live.clientId);
    expect(before).toContain(otherBrowser.clientId);
    expect(before).not.toContain(dead.clientId);
    expect(before).not.toContain(otherDead.clientId);

    // Tidy at the source: the browser's next tab revokes its dead tabs (only that browser's).
    const fresh = await openTab(browser.cookie);
    expect(await clientRevokedAt(browser.userId, dead.clientId)).toBeInstanceOf(Date);
    expect(await clientRevokedAt(browser.userId, otherDead.clientId)).toBeNull();
    for (const id of [browser.clientId, live.clientId, fresh.clientId]) {
      expect(await clientRevokedAt(browser.userId, id)).toBeNull();
    }
    expect(await listed()).toEqual(expect.arrayContaining([browser.clientId, live.clientId, fresh.clientId]));
    expect(await listed()).not.toContain(dead.clientId);

    // The dead tab's token is refused as *expired* (the tab may open a fresh client with the cookie),
    // the live tab and the browser work on.
    await expect((await h.caller()).call.auth.refresh({ refreshToken: dead.refreshToken })).rejects.toThrow(
      "refresh token expired",
    );
    await expect(
      (await h.caller()).call.auth.refresh({ refreshToken: dead.refreshToken }),
    ).rejects.toMatchObject({ cause: { details: { reason: ERROR_REASON.REFRESH_TOKEN_EXPIRED } } });
    expect((await (await h.caller(bearer(live.accessToken))).call.user.me()).clientId).toBe(live.clientId);
    expect((await (await h.caller(browser.cookie)).call.user.me()).clientId).toBe(browser.clientId);
    const next = await (await h.caller()).call.auth.refresh({ refreshToken: live.refreshToken });
    expect((await (await h.caller(bearer(next.accessToken))).call.user.me()).clientId).toBe(live.clientId);
  });

  test("a tab that only just expired is not revoked yet (clock skew margin), but is no longer listed", async () => {
    const browser = await browserSignUp("tabmargin");
    const tab = await openTab(browser.cookie);
    await expireTab(browser.userId, tab.clientId, 60_000);
    await openTab(browser.cookie);
    expect(await clientRevokedAt(browser.userId, tab.clientId)).toBeNull();
    const listed = await (await h.caller(browser.cookie)).call.user.clients();
    expect(listed.map((client) => client.id)).not.toContain(tab.clientId);
  });

  test("a closing tab's beacon makes its refresh token lapse soon; a reload refreshes at once and keeps its client", async () => {
    const browser = await browserSignUp("tabclose");
    const tab = await openTab(browser.cookie);
    expect(await h.auth.closeTab(tab.refreshToken)).toBe(true);
    const [lingering] = await refreshRows(browser.userId, tab.clientId);
    expect(lingering?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 120_000);
    // A second beacon never lengthens it; garbage and other clients' tokens are ignored.
    expect(await h.auth.closeTab("not-a-token")).toBe(false);
    const phone = await h.signUpWithTokens("tabclosephone");
    expect(await h.auth.closeTab(phone.refreshToken)).toBe(false);
    const [phoneRow] = await refreshRows(phone.userId, phone.clientId);
    expect(phoneRow?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 30 * 24 * HOUR);

    // The reloaded tab refreshes on load: same client, full tab life again.
    const next = await (await h.caller()).call.auth.refresh({ refreshToken: tab.refreshToken });
    expect((await (await h.caller(bearer(next.accessToken))).call.user.me()).clientId).toBe(tab.clientId);
    const rows = await refreshRows(browser.userId, tab.clientId);
    expect(Math.max(...rows.map((row) => row.expiresAt.getTime()))).toBeGreaterThan(Date.now() + 11 * HOUR);
    // A beacon with the spent token changes nothing.
    expect(await h.auth.closeTab(tab.refreshToken)).toBe(false);

    // A closed tab's beacon, then silence: once the linger lapses it is off the list.
    const closed = await openTab(browser.cookie);
    expect(await h.auth.closeTab(closed.refreshToken)).toBe(true);
    await expireTab(browser.userId, closed.clientId, 1000);
    const listed = await (await h.caller(browser.cookie)).call.user.clients();
    expect(listed.map((client) => client.id)).toEqual(
      expect.arrayContaining([browser.clientId, tab.clientId]),
    );
    expect(listed.map((client) => client.id)).not.toContain(closed.clientId);
  });
});
