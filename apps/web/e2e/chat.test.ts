/**
 * The web app in a real browser, against the whole stack (fresh DB, worker, gateway, next start).
 * One scenario in steps that build on each other: sign-up, chat, groups, offline, tabs, revocation.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type OidcTestProvider, startOidcTestProvider } from "@parley/auth/testing";
import type { Browser, Page } from "playwright-core";
import {
  connectionState,
  dialogItem,
  eventually,
  launchBrowser,
  messageTexts,
  openContext,
  PHONE,
  sendFast,
  signIn,
  signUp,
  type TrackedPage,
  unreadBadge,
  waitForConversation,
  waitLive,
} from "./browser";
import { buildWebApp, type Stack, startStack } from "./stack";

setDefaultTimeout(60_000);

// Every run writes its screenshots under test-results/; UPDATE_SCREENSHOTS=1 refreshes the committed
// ones in docs/screenshots (the README shows one) without dirtying the tree on every test run.
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");
const PASSWORD = "correct horse battery staple";
const run = Date.now().toString(36);
const handles = { a: `ann${run}`, b: `ben${run}`, c: `cat${run}` };

let stack: Stack;
let browser: Browser;
let a: TrackedPage;
let b1: TrackedPage;
let b2: TrackedPage;
let c: TrackedPage;
/** A second tab in B's second context (same browser, same cookie). */
let b2tab: Page;
let directTitleForA = "";
let directTitleForB = "";

let oidc: OidcTestProvider | undefined;

/** The tab's own client id (its sessionStorage, written by auth.openTab). */
async function tabClientId(page: Page): Promise<string> {
  const id = await page.evaluate(
    () =>
      (JSON.parse(sessionStorage.getItem("parley.tab") ?? "null") as { clientId?: string } | null)?.clientId,
  );
  if (!id) throw new Error("this tab holds no tab client");
  return id;
}

/** This tab's stored client (user id and client id): what it keeps in sessionStorage. */
async function tabCredentials(page: Page): Promise<{ userId: string; clientId: string }> {
  const stored = await page.evaluate(
    () =>
      JSON.parse(sessionStorage.getItem("parley.tab") ?? "null") as {
        userId?: string;
        clientId?: string;
      } | null,
  );
  if (!stored?.userId || !stored.clientId || !/^\d+$/.test(stored.userId + stored.clientId)) {
    throw new Error("this tab holds no tab client");
  }
  return { userId: stored.userId, clientId: stored.clientId };
}

/** A UTC DATETIME(3) literal (the columns hold UTC). */
const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace("T", " ");

/** When a tab client's newest refresh token expires, read on its user's shard (ms since the epoch). */
async function refreshExpiry(tab: { userId: string; clientId: string }): Promise<number> {
  const rows = await stack.query(
    `SELECT MAX(expires_at) AS expires FROM client_sessions WHERE user_id = ${tab.userId} AND client_id = ${tab.clientId} AND kind = 'refresh'`,
  );
  const value = rows[0]?.expires;
  return value instanceof Date ? value.getTime() : new Date(`${String(value)}Z`).getTime();
}

/** A counter or gauge from the gateway's /metrics. */
async function gatewayMetric(name: string): Promise<number> {
  const text = await (await fetch(`${stack.realtimeMetricsUrl}/metrics`)).text();
  const value = text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1];
  if (value === undefined) throw new Error(`gateway metric ${name} missing`);
  return Number(value);
}

/** The browser's (cookie) client id: user.me asked with the cookie alone. */
async function browserClientId(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const response = await fetch("/api/trpc/user.me");
    const body = (await response.json()) as { result: { data: { clientId: string } } };
    return body.result.data.clientId;
  });
}

beforeAll(async () => {
  // Fail fast, naming what is missing: the browser first, then MariaDB / NATS / Redis in startStack.
  browser = await launchBrowser();
  await buildWebApp();
  stack = await startStack(async ({ appUrl }) => {
    // A real OpenID provider on loopback (the auth package's test helper), configured like any other.
    const client = {
      clientId: "parley-web",
      clientSecret: "test-secret-for-the-e2e-provider",
      redirectUri: `${appUrl}/api/auth/oidc/testidp/callback`,
    };
    oidc = await startOidcTestProvider([client]);
    const providers = [{ id: "testidp", name: "Test IdP", issuer: oidc.issuer, ...client }];
    return { OIDC_PROVIDERS: JSON.stringify(providers.map(({ redirectUri: _, ...provider }) => provider)) };
  });
}, 240_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
  await oidc?.close();
});

describe("web app", () => {
  test("sign up, sign in, and form errors without stack traces", async () => {
    a = await openContext(browser, stack.appUrl);
    b1 = await openContext(browser, stack.appUrl);
    b2 = await openContext(browser, stack.appUrl);
    c = await openContext(browser, stack.appUrl);

    await signUp(a.page, handles.a, "Ann Archer", PASSWORD);
    await signUp(b1.page, handles.b, "Ben Baker", PASSWORD);
    await signUp(c.page, handles.c, "Cat Cole", PASSWORD);

    // A wrong password shows one clear line in the form.
    await b2.page.goto("/sign-in");
    await b2.page.getByLabel("Handle").fill(handles.b);
    await b2.page.getByLabel("Password").fill("wrong password!");
    await b2.page.getByRole("button", { name: "Sign in" }).click();
    // Not getByRole("alert"): Next's route announcer is an (empty) alert too.
    const alert = b2.page.locator(".form-error[role=alert]");
    await alert.waitFor();
    const text = (await alert.textContent()) ?? "";
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/\bat .+:\d+|Error:|TRPC|stack/i);

    await signIn(b2.page, handles.b, PASSWORD);
    directTitleForA = "Ben Baker";
    directTitleForB = "Ann Archer";
  });

  test("without JavaScript, submitting the sign-in form never puts the password in the URL", async () => {
    const context = await browser.newContext({ baseURL: stack.appUrl, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      await page.goto("/sign-in");
      await page.getByLabel("Handle").fill(handles.b);
      await page.getByLabel("Password").fill(PASSWORD);
      await Promise.all([page.waitForEvent("requestfinished"), page.keyboard.press("Enter")]);
      expect(requested.length).toBeGreaterThan(1); // the form did submit
      // As a query string would carry it: form encoding writes spaces as "+".
      const readable = (url: string) => decodeURIComponent(url.replace(/\+/g, " "));
      for (const url of [...requested, page.url()]) expect(readable(url)).not.toContain(PASSWORD);
    } finally {
      await context.close();
    }
  });

  test("A sends 20 fast; both of B's contexts show them in order; badges rise and clear", async () => {
    await a.page.getByRole("button", { name: "New chat or group" }).click();
    await a.page.getByRole("menuitem", { name: /New chat/ }).click();
    await a.page.getByLabel("Handle", { exact: true }).fill(handles.b);
    await a.page.getByRole("button", { name: "Start chat" }).click();
    await waitForConversation(a.page);
    await a.page.getByRole("heading", { name: "Ben Baker" }).waitFor();
    const sent = Array.from({ length: 20 }, (_, i) => `message ${String(i + 1).padStart(2, "0")}`);
    await sendFast(a.page, sent);
    await eventually(
      "A shows its 20",
      () => messageTexts(a.page),
      (texts) => texts.length === 20,
    );

    for (const page of [b1.page, b2.page]) {
      await eventually(
        "B's unread badge",
        () => unreadBadge(page, directTitleForB),
        (badge) => badge === "20",
      );
    }
    await dialogItem(b1.page, directTitleForB).click();
    await eventually(
      "B1 shows all 20 in order",
      () => messageTexts(b1.page),
      (texts) => texts.join("|") === sent.join("|"),
    );
    // Reading on B1 clears the badge on B2 as well (same user, other client).
    await eventually(
      "B2 badge cleared",
      () => unreadBadge(b2.page, directTitleForB),
      (badge) => badge === null,
    );
    await dialogItem(b2.page, directTitleForB).click();
    await eventually(
      "B2 shows all 20 in order",
      () => messageTexts(b2.page),
      (texts) => texts.join("|") === sent.join("|"),
    );

    // A's own state advances to read once B has seen them.
    await eventually(
      "A sees read receipts",
      () => a.page.locator('[data-testid="message"] [data-delivery]').last().getAttribute("data-delivery"),
      (state) => state === "read",
    );

    // B typing shows on A's side, named.
    await b1.page.getByLabel("Message", { exact: true }).pressSequentially("typing…");
    await a.page.getByText("Ben Baker is typing…").waitFor({ timeout: 5000 });
    await b1.page.getByLabel("Message", { exact: true }).fill("");

    // A leaves the conversation; B replies; A's badge rises, then clears when A opens it.
    await a.page.getByRole("link", { name: "Devices" }).click();
    await a.page.getByRole("heading", { name: "Devices" }).waitFor();
    await sendFast(b1.page, ["reply from ben"]);
    await eventually(
      "A's badge",
      () => unreadBadge(a.page, directTitleForA),
      (badge) => badge === "1",
    );
    await dialogItem(a.page, directTitleForA).click();
    await eventually(
      "A sees the reply",
      () => messageTexts(a.page),
      (texts) => texts.at(-1) === "reply from ben",
    );
    await eventually(
      "A's badge cleared",
      () => unreadBadge(a.page, directTitleForA),
      (badge) => badge === null,
    );
  });

  test("a group of three (a big group here): created in the UI, seen by all, a removed member stops receiving", async () => {
    const directPath = new URL(a.page.url()).pathname;
    await a.page.getByRole("button", { name: "New chat or group" }).click();
    await a.page.getByRole("menuitem", { name: /New group/ }).click();
    await a.page.getByLabel("Group title").fill("Trio");
    await a.page.getByLabel(/Members \(handles/).fill(`${handles.b}, ${handles.c}`);
    await a.page.getByRole("button", { name: "Create group" }).click();
    await waitForConversation(a.page, directPath);
    await a.page.getByRole("heading", { name: "Trio" }).waitFor();
    await sendFast(a.page, ["hello trio"]);
    for (const page of [b1.page, c.page]) {
      await dialogItem(page, "Trio").click();
      await eventually(
        "group message seen",
        () => messageTexts(page),
        (texts) => texts.includes("hello trio"),
      );
    }
    // It went out once on the dialog's subject, fanned out by the gateway (not once per member).
    expect(await gatewayMetric("realtime_dialog_deliveries_total")).toBeGreaterThan(0);

    await a.page.getByRole("button", { name: "Members" }).click();
    await a.page.getByRole("button", { name: "Remove Cat Cole" }).click();
    await eventually(
      "Cat removed",
      () => a.page.getByTestId("member").count(),
      (count) => count === 2,
    );
    await sendFast(a.page, ["after cat left"]);
    await eventually(
      "B gets it",
      () => messageTexts(b1.page),
      (texts) => texts.includes("after cat left"),
    );
    // Give a stray push time to arrive before checking it did not.
    await Bun.sleep(1500);
    expect(await c.page.locator("text=after cat left").count()).toBe(0);
    // Cat's view says so instead of showing a stale conversation, and the group left her inbox.
    await c.page.getByText("This conversation is not available").waitFor();
    await eventually(
      "Trio gone from Cat's inbox",
      () => dialogItem(c.page, "Trio").count(),
      (n) => n === 0,
    );
  });

  test("add a member back, and leave a group", async () => {
    await a.page.getByLabel("Add members (handles)").fill(handles.c);
    await a.page.getByRole("button", { name: "Add", exact: true }).click();
    await eventually(
      "Cat back",
      () => a.page.getByTestId("member").count(),
      (count) => count === 3,
    );
    await sendFast(a.page, ["welcome back cat"]);
    await dialogItem(c.page, "Trio").click();
    await eventually(
      "Cat sees new messages",
      () => messageTexts(c.page),
      (texts) => texts.includes("welcome back cat"),
    );
    // Live again, not only by fetching: her tab took a fresh token listing the group in-band.
    await sendFast(a.page, ["live for cat"]);
    await eventually(
      "Cat gets the next one pushed",
      () => messageTexts(c.page),
      (texts) => texts.at(-1) === "live for cat",
    );

    await b1.page.getByRole("button", { name: "Members" }).click();
    await b1.page.getByRole("button", { name: "Leave group" }).click();
    await b1.page.waitForURL(/\/chat$/);
    await eventually(
      "Trio gone from B's inbox",
      () => dialogItem(b1.page, "Trio").count(),
      (n) => n === 0,
    );
    await eventually(
      "A sees two members",
      () => a.page.getByTestId("member").count(),
      (count) => count === 2,
    );
  });

  test("B's second context offline, messages meanwhile, back online: all, in order, once", async () => {
    await dialogItem(a.page, directTitleForA).click();
    await a.page.getByRole("heading", { name: "Ben Baker" }).waitFor();
    for (const page of [b1.page, b2.page]) {
      await dialogItem(page, directTitleForB).click();
      await page.getByRole("heading", { name: "Ann Archer" }).waitFor();
    }
    await b2.context.setOffline(true);
    // "offline" itself, not merely "not live": a reconnect under load also shows as not live, and
    // the socket it opens would still deliver.
    await eventually(
      "B2 shows it is offline",
      () => connectionState(b2.page),
      (state) => state === "offline",
    );
    const burst = [
      "while offline 1",
      "while offline 2",
      "while offline 3",
      "while offline 4",
      "while offline 5",
    ];
    await sendFast(a.page, burst);
    await eventually(
      "B1 got the burst",
      () => messageTexts(b1.page),
      (texts) => texts.at(-1) === burst.at(-1),
    );
    await Bun.sleep(1000);
    // Really offline: nothing of the burst reached B2 yet.
    expect((await messageTexts(b2.page)).filter((text) => text.startsWith("while offline"))).toEqual([]);
    await b2.context.setOffline(false);
    const texts = await eventually(
      "B2 caught up",
      () => messageTexts(b2.page),
      (list) => list.at(-1) === burst.at(-1),
      30_000,
    );
    const tail = texts.filter((text) => text.startsWith("while offline"));
    expect(tail).toEqual(burst);
    expect(new Set(texts).size).toBe(texts.length);
    await waitLive(b2.page);
  });

  test("HTML in a message is shown as text and runs nothing", async () => {
    const payload = "<img src=x onerror=alert(1)>";
    await sendFast(a.page, [payload]);
    await eventually(
      "B1 shows it",
      () => messageTexts(b1.page),
      (texts) => texts.at(-1) === payload,
    );
    for (const tracked of [a, b1, b2]) {
      expect(await tracked.page.locator(".timeline img").count()).toBe(0);
      expect(tracked.dialogs).toEqual([]);
      expect(tracked.errors).toEqual([]);
    }
    // The inbox preview is text too.
    expect(await b1.page.locator(".dialog-list img").count()).toBe(0);
  });

  test("links are clickable only for http(s), and Shift+Enter writes a new line", async () => {
    const composer = a.page.getByLabel("Message", { exact: true });
    await composer.fill("see https://example.com/a?b=1 and javascript:alert(1)");
    await composer.press("Enter");
    const link = b1.page.locator(".timeline a").last();
    await eventually(
      "B1 shows the link",
      () => link.getAttribute("href"),
      (href) => href === "https://example.com/a?b=1",
    );
    expect(await link.getAttribute("rel")).toContain("noopener");
    expect(await link.getAttribute("rel")).toContain("noreferrer");
    expect(await b1.page.locator('.timeline a[href^="javascript:"]').count()).toBe(0);

    await composer.pressSequentially("first line");
    await composer.press("Shift+Enter");
    await composer.pressSequentially("second line");
    await composer.press("Enter");
    await eventually(
      "two-line message",
      () => messageTexts(b1.page),
      (texts) => texts.at(-1) === "first line\nsecond line",
    );
  });

  test("sign in with an OIDC provider from the sign-in page", async () => {
    const fresh = await openContext(browser, stack.appUrl);
    await fresh.page.goto("/sign-in");
    await fresh.page.getByRole("link", { name: "Continue with Test IdP" }).click();
    // oidc-provider's development login and consent pages.
    await fresh.page.locator('input[name="login"]').fill(`oidc${run}`);
    await fresh.page.locator('input[name="password"]').fill("anything");
    await fresh.page.locator('button[type="submit"]').click();
    await fresh.page.locator('button[type="submit"]').click();
    await fresh.page.waitForURL("**/chat");
    await waitLive(fresh.page);
    await fresh.page.getByText(`Test oidc${run}`).first().waitFor();
    await fresh.context.close();
  });

  test("scrolling up reveals older history", async () => {
    const more = Array.from({ length: 70 }, (_, i) => `older ${String(i + 1).padStart(2, "0")}`);
    await dialogItem(a.page, directTitleForA).click();
    await a.page.getByRole("heading", { name: "Ben Baker" }).waitFor();
    await sendFast(a.page, more);
    const reader = await openContext(browser, stack.appUrl);
    await signIn(reader.page, handles.b, PASSWORD);
    await dialogItem(reader.page, directTitleForB).click();
    await eventually(
      "newest page shown",
      () => messageTexts(reader.page),
      (texts) => texts.at(-1) === "older 70",
    );
    expect((await messageTexts(reader.page)).includes("message 01")).toBe(false);
    for (let i = 0; i < 10 && !(await messageTexts(reader.page)).includes("message 01"); i++) {
      await reader.page.locator(".timeline").evaluate((el) => {
        el.scrollTop = 0;
      });
      await Bun.sleep(300);
    }
    const texts = await messageTexts(reader.page);
    expect(texts[0]).toBe("message 01");
    expect(new Set(texts).size).toBe(texts.length);
    await reader.context.close();
  });

  test("screenshots at desktop and phone width", async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = async (page: Page, name: string) => {
      await waitLive(page);
      await page.getByTestId("dialog-item").first().waitFor();
      // Names arrive a moment after the inbox (profiles by id); "…" is their placeholder.
      await eventually(
        "names loaded",
        () => page.locator(".dialog-item-title").allTextContents(),
        (titles) => !titles.includes("…"),
      );
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    };
    await a.page.goto("/chat");
    await shot(a.page, "inbox-desktop");
    await dialogItem(a.page, directTitleForA).click();
    await eventually(
      "conversation loaded",
      () => messageTexts(a.page),
      (texts) => texts.length > 5,
    );
    await shot(a.page, "conversation-desktop");

    const phone = await openContext(browser, stack.appUrl, PHONE);
    await signIn(phone.page, handles.a, PASSWORD);
    await shot(phone.page, "inbox-phone");
    await dialogItem(phone.page, directTitleForA).click();
    await eventually(
      "phone conversation",
      () => messageTexts(phone.page),
      (texts) => texts.length > 5,
    );
    // The sidebar collapses: only the conversation shows at phone width.
    expect(await phone.page.locator(".sidebar").isVisible()).toBe(false);
    await phone.page.screenshot({ path: join(SCREENSHOTS, "conversation-phone.png") });
    await phone.page.getByRole("link", { name: "Back to conversations" }).click();
    await phone.page.getByRole("link", { name: "Devices" }).click();
    await phone.page.getByTestId("device").nth(1).waitFor();
    await phone.page.screenshot({ path: join(SCREENSHOTS, "devices-phone.png") });
    // Keyboard: on a fresh page the first Tab stop is the skip link; on the phone inbox it moves
    // focus to the conversation list.
    await phone.page.goto("/chat");
    await waitLive(phone.page);
    await phone.page.getByTestId("dialog-item").first().waitFor();
    await phone.page.keyboard.press("Tab");
    expect(await phone.page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await phone.page.keyboard.press("Enter");
    expect(await phone.page.evaluate(() => document.activeElement?.id)).toBe("inbox");
    await phone.context.close();

    // Client-side navigation keeps the socket; the desktop devices page now lists the phone too.
    await a.page.getByRole("link", { name: "Devices" }).click();
    await a.page.getByTestId("device").nth(1).waitFor();
    await shot(a.page, "devices-desktop");
  });

  test("every tab is a client of its own: two tabs of one context get different clients and both receive", async () => {
    // A second tab in B's second context (same cookie), and a window opened from the first tab, which
    // starts with a copy of its sessionStorage: it must notice and open a tab client of its own.
    b2tab = await b2.context.newPage();
    await b2tab.goto("/chat");
    await waitLive(b2tab);
    await b2.page.evaluate(() => sessionStorage.setItem("e2e.copied", "yes"));
    const [opened] = await Promise.all([
      b2.context.waitForEvent("page"),
      b2.page.evaluate(() => {
        window.open("/chat", "_blank");
      }),
    ]);
    await waitLive(opened);
    // The opened window really started from a copy of the first tab's sessionStorage (tokens included).
    expect(await opened.evaluate(() => sessionStorage.getItem("e2e.copied"))).toBe("yes");
    const ids = await Promise.all([b2.page, b2tab, opened].map(tabClientId));
    const browserId = await browserClientId(b2.page);
    expect(new Set([...ids, browserId]).size).toBe(4);
    for (const page of [b2tab, opened]) {
      expect(await page.evaluate(() => sessionStorage.getItem("parley.tab"))).not.toBeNull();
    }
    // The browser's devices page lists the tabs under their browser, this tab marked.
    await b2tab.getByRole("link", { name: "Devices" }).click();
    const thisTab = b2tab.locator(`[data-testid="device"][data-client-id="${ids[1]}"]`);
    await thisTab.getByText("This tab").waitFor();
    expect(await thisTab.getAttribute("data-kind")).toBe("tab");

    // Closing a tab sends its beacon: its refresh token now lapses within two minutes.
    const closed = await tabCredentials(opened);
    await opened.close({ runBeforeUnload: true });
    await eventually(
      "the closed tab's refresh token lingers only briefly",
      () => refreshExpiry(closed),
      (expires) => expires <= Date.now() + 125_000,
    );
    // …and once it has lapsed, the devices page no longer lists that tab.
    await stack.query(
      `UPDATE client_sessions SET expires_at = '${sqlTime(Date.now() - 60 * 60 * 1000)}' WHERE user_id = ${closed.userId} AND client_id = ${closed.clientId}`,
    );
    // A reload of a tab is not a close: same client (sessionStorage survives), and the page renews the
    // token its own pagehide beacon had shortened.
    const beforeReload = await tabCredentials(b2tab);
    await b2tab.reload();
    await waitLive(b2tab);
    expect(await tabClientId(b2tab)).toBe(beforeReload.clientId);
    await eventually(
      "the reloaded tab's refresh token has its full life again",
      () => refreshExpiry(beforeReload),
      (expires) => expires > Date.now() + 11 * 60 * 60 * 1000,
    );
    await b2tab.locator(`[data-testid="device"][data-client-id="${ids[1]}"]`).getByText("This tab").waitFor();
    await b2tab.locator(`[data-testid="device"][data-client-id="${ids[0]}"]`).waitFor();
    expect(await b2tab.locator(`[data-testid="device"][data-client-id="${closed.clientId}"]`).count()).toBe(
      0,
    );

    await dialogItem(b2tab, directTitleForB).click();
    await b2tab.getByRole("heading", { name: "Ann Archer" }).waitFor();
    await dialogItem(a.page, directTitleForA).click();
    await a.page.getByRole("heading", { name: "Ben Baker" }).waitFor();
    const burst = ["tabs 1", "tabs 2", "tabs 3"];
    await sendFast(a.page, burst);
    for (const page of [b2.page, b2tab]) {
      await eventually(
        "both tabs got every message",
        () => messageTexts(page),
        (texts) => texts.slice(-3).join("|") === burst.join("|"),
      );
    }
    // Each tab sends as its own client (its own clientSeq space): both tabs' sends land.
    await sendFast(b2tab, ["from tab two"]);
    await sendFast(b2.page, ["from tab one"]);
    await eventually(
      "A sees both tabs' messages",
      () => messageTexts(a.page),
      (texts) => texts.includes("from tab two") && texts.includes("from tab one"),
    );
  });

  test("revoking one tab signs out only that tab; the browser's other tab keeps working", async () => {
    const revokedTab = await tabClientId(b2tab);
    await b1.page.getByRole("link", { name: "Devices" }).click();
    const device = b1.page.locator(`[data-testid="device"][data-client-id="${revokedTab}"]`);
    await device.getByRole("button", { name: /Revoke/ }).click();
    await b2tab.waitForURL(/\/sign-in/, { timeout: 8000 });
    await b2tab.getByText("This device was signed out").waitFor();
    expect(await b2tab.evaluate(() => sessionStorage.getItem("parley.tab"))).toBeNull();
    // The other tab of that browser is untouched: still live, still receiving.
    await waitLive(b2.page);
    await sendFast(a.page, ["after one tab was revoked"]);
    await eventually(
      "the other tab still receives",
      () => messageTexts(b2.page),
      (texts) => texts.at(-1) === "after one tab was revoked",
    );
    await b2tab.close();
  });

  test("revoking B's second context from the first signs it out within seconds", async () => {
    // Which client is B2's browser? Ask the API from inside that context (its own cookie).
    const b2ClientId = await browserClientId(b2.page);
    await b1.page.getByRole("link", { name: "Devices" }).click();
    const device = b1.page.locator(`[data-testid="device"][data-client-id="${b2ClientId}"]`);
    await device.getByRole("button", { name: /Revoke/ }).click();
    const started = Date.now();
    await b2.page.waitForURL(/\/sign-in/, { timeout: 8000 });
    expect(Date.now() - started).toBeLessThan(8000);
    await b2.page.getByText("This device was signed out").waitFor();
    // Its tab client went with it (the browser's revoke cascades to its tabs).
    expect(await b2.page.evaluate(() => sessionStorage.getItem("parley.tab"))).toBeNull();
    // B1 itself stays signed in and live.
    await waitLive(b1.page);
  });
});
