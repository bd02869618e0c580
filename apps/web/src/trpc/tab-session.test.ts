import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ERROR_REASON, type ErrorReason } from "@parley/protocol";
import { type TabCredentials, TabSession, TabSignedOutError } from "./tab-session";

/** sessionStorage of one tab; `copy()` is what a duplicated tab / window.open starts with. */
class FakeStorage {
  constructor(readonly items = new Map<string, string>()) {}
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  copy() {
    return new FakeStorage(new Map(this.items));
  }
}

/** One page load: its pagehide / pageshow listeners. */
class FakePage {
  readonly listeners = new Map<string, ((event: { persisted: boolean }) => void)[]>();
  addEventListener(type: string, listener: (event: { persisted: boolean }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  fire(type: string, persisted = false) {
    for (const listener of this.listeners.get(type) ?? []) listener({ persisted });
  }
}

type Call = { path: string; authorization: string | null; body: unknown };
let calls: Call[];
let handler: (call: Call) => Response;
const realFetch = globalThis.fetch;
let nextId = 100;

const ok = (data: unknown) => Response.json({ result: { data } });
/**
 * A refusal as the API answers it: the JSON-RPC code (-32001 is UNAUTHORIZED), a message for people,
 * and the tRPC code name and `details.reason` for code.
 */
const unauthorized = (message: string, reason?: ErrorReason) =>
  Response.json(
    {
      error: {
        message,
        code: -32001,
        data: { code: "UNAUTHORIZED", httpStatus: 401, details: reason ? { reason } : undefined },
      },
    },
    { status: 401 },
  );

function tabPair(overrides: Partial<TabCredentials> = {}): TabCredentials {
  nextId += 1;
  return {
    userId: "7",
    clientId: String(nextId),
    parentClientId: "5",
    accessToken: `access-${nextId}`,
    refreshToken: `refresh-${nextId}`,
    expiresAt: Date.now() + 900_000,
    ...overrides,
  };
}

beforeEach(() => {
  calls = [];
  handler = (call) => {
    if (call.path.endsWith("auth.openTab")) return ok(tabPair());
    return ok({ fine: true });
  };
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = typeof input === "string" ? input : input instanceof URL ? input.pathname : input.url;
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : null;
    const call = { path, authorization: headers.get("authorization"), body };
    calls.push(call);
    // As the API does: a POST must carry a JSON body (an empty one is a 400, and no tab would open).
    if (init?.method === "POST" && typeof init.body !== "string") {
      return Response.json({ error: { message: "Unexpected end of JSON input" } }, { status: 400 });
    }
    return handler(call);
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

const open = (storage: FakeStorage, page = new FakePage()) => ({
  session: new TabSession(storage, page as unknown as Window),
  page,
});

describe("TabSession", () => {
  test("a new tab opens its own client with the cookie and keeps it in its sessionStorage", async () => {
    const storage = new FakeStorage();
    const { session } = open(storage);
    expect(session.current()).toBeNull();
    const tab = await session.ensure();
    expect(calls.map((call) => [call.path, call.authorization])).toEqual([["/api/trpc/auth.openTab", null]]);
    expect(JSON.parse(storage.getItem("parley.tab") ?? "null")).toEqual(tab);
    // Asked again: no second client.
    expect(await session.ensure()).toEqual(tab);
    expect(calls).toHaveLength(1);
  });

  test("a reload of the tab keeps its client", async () => {
    const storage = new FakeStorage();
    const first = open(storage);
    const tab = await first.session.ensure();
    first.page.fire("pagehide");
    const reloaded = open(storage).session;
    expect(reloaded.current()).toEqual(tab);
    expect(await reloaded.ensure()).toEqual(tab);
    expect(calls).toHaveLength(1);
  });

  test("a duplicated tab (a copy of a live tab's sessionStorage) opens a client of its own", async () => {
    const storage = new FakeStorage();
    const original = await open(storage).session.ensure();
    const copy = storage.copy();
    const duplicate = open(copy).session;
    expect(duplicate.current()).toBeNull();
    const own = await duplicate.ensure();
    expect(own.clientId).not.toBe(original.clientId);
    // The original tab's storage is untouched.
    expect(JSON.parse(storage.getItem("parley.tab") ?? "null")).toEqual(original);
  });

  test("calls carry the tab's bearer token, except the cookie-only auth procedures", async () => {
    const { session } = open(new FakeStorage());
    const tab = await session.ensure();
    await session.fetch("/api/trpc/user.me");
    await session.fetch("/api/trpc/auth.signIn", { method: "POST", body: "{}" });
    expect(calls.slice(1).map((call) => call.authorization)).toEqual([`Bearer ${tab.accessToken}`, null]);
  });

  test("an access token about to expire is refreshed first, and the rotated pair stored before use", async () => {
    const storage = new FakeStorage();
    const tab = tabPair({ expiresAt: Date.now() + 10_000 });
    storage.setItem("parley.tab", JSON.stringify(tab));
    const { session } = open(storage);
    handler = (call) =>
      call.path.endsWith("auth.refresh")
        ? ok({ accessToken: "fresh", refreshToken: "rotated", expiresAt: Date.now() + 900_000 })
        : ok({});
    await Promise.all([session.fetch("/api/trpc/user.me"), session.fetch("/api/trpc/dialog.list")]);
    const refreshes = calls.filter((call) => call.path.endsWith("auth.refresh"));
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.body).toEqual({ refreshToken: tab.refreshToken });
    expect(refreshes[0]?.authorization).toBeNull();
    expect(calls.filter((call) => !call.path.includes("auth.")).map((call) => call.authorization)).toEqual([
      "Bearer fresh",
      "Bearer fresh",
    ]);
    expect(JSON.parse(storage.getItem("parley.tab") ?? "null")).toMatchObject({
      clientId: tab.clientId,
      refreshToken: "rotated",
    });
  });

  test("a 401 refreshes once and retries; a refused refresh signs the tab out and drops its tokens", async () => {
    const storage = new FakeStorage();
    storage.setItem("parley.tab", JSON.stringify(tabPair()));
    const { session } = open(storage);
    let signedOut = 0;
    session.onSignedOut(() => {
      signedOut += 1;
    });

    let expired = true;
    handler = (call) => {
      if (call.path.endsWith("auth.refresh")) {
        expired = false;
        return ok({ accessToken: "fresh", refreshToken: "rotated", expiresAt: Date.now() + 900_000 });
      }
      return expired
        ? unauthorized("access token expired: refresh it", ERROR_REASON.ACCESS_TOKEN_EXPIRED)
        : ok({});
    };
    expect((await session.fetch("/api/trpc/user.me")).status).toBe(200);
    expect(calls.at(-1)?.authorization).toBe("Bearer fresh");

    handler = (call) =>
      call.path.endsWith("auth.refresh")
        ? unauthorized("refresh token revoked: sign in again", ERROR_REASON.REFRESH_TOKEN_REVOKED)
        : unauthorized("this client was signed out", ERROR_REASON.CLIENT_SIGNED_OUT);
    expect((await session.fetch("/api/trpc/user.me")).status).toBe(401);
    expect(signedOut).toBe(1);
    expect(session.current()).toBeNull();
    expect(storage.getItem("parley.tab")).toBeNull();
  });

  test("without a browser session, opening the tab says signed out", async () => {
    handler = () => unauthorized("sign in required", ERROR_REASON.SIGN_IN_REQUIRED);
    const { session } = open(new FakeStorage());
    await expect(session.ensure()).rejects.toBeInstanceOf(TabSignedOutError);
  });
});

/** A page as tabSession() builds it: attached, with recorded beacons, reloads and timers. */
function attached(storage: FakeStorage) {
  const page = new FakePage();
  const session = new TabSession(storage, page as unknown as Window);
  const beacons: { url: string; body: unknown }[] = [];
  const timers: (() => void)[] = [];
  let reloads = 0;
  session.attach({
    sendBeacon: (url, body) => {
      beacons.push({ url, body: JSON.parse(body) });
      return true;
    },
    reload: () => {
      reloads += 1;
    },
    setInterval: (run) => timers.push(run),
  });
  return { session, page, beacons, timers, reloads: () => reloads };
}

const refreshed = (refreshToken = "rotated") =>
  ok({ accessToken: "fresh", refreshToken, expiresAt: Date.now() + 900_000 });

describe("TabSession's page lifetime (short-lived tab clients)", () => {
  test("a page going away sends the close beacon with its refresh token; one entering the bfcache does not", async () => {
    const first = attached(new FakeStorage());
    const tab = await first.session.ensure();
    first.page.fire("pagehide", true);
    expect(first.beacons).toEqual([]);
    first.page.fire("pagehide", false);
    expect(first.beacons).toEqual([{ url: "/api/auth/tab/close", body: { refreshToken: tab.refreshToken } }]);
    // Signed out (tokens dropped): nothing to send.
    const second = attached(new FakeStorage());
    await second.session.ensure();
    second.session.drop();
    second.page.fire("pagehide");
    expect(second.beacons).toEqual([]);
  });

  test("a reload refreshes at once (renewing what the beacon shortened) and keeps its client", async () => {
    const storage = new FakeStorage();
    const first = attached(storage);
    const tab = await first.session.ensure();
    first.page.fire("pagehide");
    handler = (call) => (call.path.endsWith("auth.refresh") ? refreshed() : ok({}));
    const reloaded = attached(storage).session;
    const again = await reloaded.ensure();
    expect(again.clientId).toBe(tab.clientId);
    expect(again.refreshToken).toBe("rotated");
    expect(calls.map((call) => call.path)).toEqual(["/api/trpc/auth.openTab", "/api/trpc/auth.refresh"]);
    expect(calls[1]?.body).toEqual({ refreshToken: tab.refreshToken });
  });

  test("a reloaded tab whose client lapsed opens a fresh one with the cookie; a revoked one is signed out", async () => {
    // Lapsed: expired, or expired so long ago that the cleanup job deleted its token rows (unknown).
    for (const [message, reason] of [
      ["refresh token expired: sign in again", ERROR_REASON.REFRESH_TOKEN_EXPIRED],
      ["unknown refresh token", ERROR_REASON.REFRESH_TOKEN_UNKNOWN],
    ] as const) {
      const storage = new FakeStorage();
      const old = tabPair();
      storage.setItem("parley.tab", JSON.stringify(old));
      handler = (call) => {
        if (call.path.endsWith("auth.refresh")) return unauthorized(message, reason);
        if (call.path.endsWith("auth.openTab")) return ok(tabPair());
        return ok({});
      };
      const fresh = await attached(storage).session.ensure();
      expect(fresh.clientId).not.toBe(old.clientId);
      expect(JSON.parse(storage.getItem("parley.tab") ?? "null")).toEqual(fresh);
    }

    const revokedStorage = new FakeStorage();
    revokedStorage.setItem("parley.tab", JSON.stringify(tabPair()));
    handler = (call) =>
      call.path.endsWith("auth.refresh")
        ? unauthorized("refresh token revoked: sign in again", ERROR_REASON.REFRESH_TOKEN_REVOKED)
        : ok(tabPair());
    calls = [];
    const revoked = attached(revokedStorage).session;
    await expect(revoked.ensure()).rejects.toBeInstanceOf(TabSignedOutError);
    expect(calls.map((call) => call.path)).toEqual(["/api/trpc/auth.refresh"]);
    expect(revokedStorage.getItem("parley.tab")).toBeNull();
  });

  test("the keep-alive refreshes shortly before expiry; a client that lapsed while open reloads the page, not signs out", async () => {
    handler = (call) => {
      if (call.path.endsWith("auth.openTab")) return ok(tabPair({ expiresAt: Date.now() + 5_000 }));
      if (call.path.endsWith("auth.refresh")) return refreshed("kept-alive");
      return ok({});
    };
    const page = attached(new FakeStorage());
    await page.session.ensure();
    let signedOut = 0;
    page.session.onSignedOut(() => {
      signedOut += 1;
    });
    expect(page.timers).toHaveLength(1);
    page.timers[0]?.();
    await Bun.sleep(0);
    await Bun.sleep(0);
    expect(calls.filter((call) => call.path.endsWith("auth.refresh"))).toHaveLength(1);
    expect(page.session.current()?.refreshToken).toBe("kept-alive");
    // Fresh again: the next tick does nothing.
    page.timers[0]?.();
    await Bun.sleep(0);
    expect(calls.filter((call) => call.path.endsWith("auth.refresh"))).toHaveLength(1);

    // Lapsed while open (asleep past its life): drop the tokens and reload, which opens a fresh client.
    handler = (call) =>
      call.path.endsWith("auth.refresh")
        ? unauthorized("refresh token expired: sign in again", ERROR_REASON.REFRESH_TOKEN_EXPIRED)
        : ok({});
    await expect(page.session.refresh()).rejects.toBeInstanceOf(TabSignedOutError);
    expect(page.reloads()).toBe(1);
    expect(page.session.current()).toBeNull();
    expect(signedOut).toBe(0);
  });

  test("a refusal is told apart by its reason code, never by its wording", async () => {
    const lapsed = attached(new FakeStorage());
    await lapsed.session.ensure();
    const revoked = attached(new FakeStorage());
    await revoked.session.ensure();

    // Lapsed, in words the old text match never knew: the tab reloads and starts over.
    handler = (call) =>
      call.path.endsWith("auth.refresh")
        ? unauthorized("session lapsed", ERROR_REASON.REFRESH_TOKEN_EXPIRED)
        : ok({});
    await expect(lapsed.session.refresh()).rejects.toBeInstanceOf(TabSignedOutError);
    expect(lapsed.reloads()).toBe(1);

    // Revoked, with a message that mentions expiry: signed out, not reloaded into a fresh client.
    let signedOut = 0;
    revoked.session.onSignedOut(() => {
      signedOut += 1;
    });
    handler = (call) =>
      call.path.endsWith("auth.refresh")
        ? unauthorized("refresh token expired or revoked", ERROR_REASON.REFRESH_TOKEN_REVOKED)
        : ok({});
    await expect(revoked.session.refresh()).rejects.toBeInstanceOf(TabSignedOutError);
    expect(revoked.reloads()).toBe(0);
    expect(signedOut).toBe(1);
    expect(revoked.session.current()).toBeNull();
  });
});
