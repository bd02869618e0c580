/**
 * Every browser tab is a client of its own (a child of its browser's cookie client): tabs of one
 * browser get different clients and all receive; a closing tab shortens its token, a reload keeps its
 * client; revoking one tab signs out only that tab, revoking the browser signs it out within seconds.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import {
  dialogItem,
  eventually,
  messageTexts,
  sendFast,
  startDirectChat,
  type TrackedPage,
  waitLive,
} from "./browser";
import { type Person, useJourney } from "./fixture";

setDefaultTimeout(90_000);

const journey = useJourney();
let ann: Person;
let ben: Person;

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

const tabClientId = async (page: Page) => (await tabCredentials(page)).clientId;

/** The browser's (cookie) client id: user.me asked with the cookie alone. */
async function browserClientId(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const response = await fetch("/api/trpc/user.me");
    const body = (await response.json()) as { result: { data: { clientId: string } } };
    return body.result.data.clientId;
  });
}

/** A UTC DATETIME(3) literal (the columns hold UTC). */
const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace("T", " ");

/** When a tab client's newest refresh token expires, read on its user's shard (ms since the epoch). */
async function refreshExpiry(tab: { userId: string; clientId: string }): Promise<number> {
  const rows = await journey.stack.query(
    `SELECT MAX(expires_at) AS expires FROM client_sessions WHERE user_id = ${tab.userId} AND client_id = ${tab.clientId} AND kind = 'refresh'`,
  );
  const value = rows[0]?.expires;
  return value instanceof Date ? value.getTime() : new Date(`${String(value)}Z`).getTime();
}

/** Another browser of Ben's with his chat with Ann open. */
async function benBrowserInChat(): Promise<TrackedPage> {
  const browser = await journey.signIn(ben);
  await openChat(browser.page);
  return browser;
}

/**
 * Ben's devices page in a browser signed in after every other one of the test, so its list holds
 * them all (an open page keeps the list it fetched).
 */
async function devicesPage(): Promise<Page> {
  const { page } = await journey.signIn(ben);
  await page.getByRole("link", { name: "Devices" }).click();
  await page.getByRole("heading", { name: "Devices" }).waitFor();
  return page;
}

async function openChat(page: Page): Promise<void> {
  await dialogItem(page, ann.displayName).click();
  await page.getByRole("heading", { name: ann.displayName }).waitFor();
}

beforeAll(async () => {
  ann = await journey.signUp("Ann Archer");
  ben = await journey.signUp("Ben Baker");
  await startDirectChat(ann.page, ben);
  await sendFast(ann.page, ["hi ben"]);
  await openChat(ben.page);
}, 120_000);

describe("tabs", () => {
  test("every tab is a client of its own: tabs of one browser get different clients and all receive", async () => {
    const second = await benBrowserInChat();
    // A second tab in that browser (same cookie), and a window opened from the first tab, which
    // starts with a copy of its sessionStorage: it must notice and open a tab client of its own.
    const secondTab = await second.context.newPage();
    await secondTab.goto("/chat");
    await waitLive(secondTab);
    await second.page.evaluate(() => sessionStorage.setItem("e2e.copied", "yes"));
    const [opened] = await Promise.all([
      second.context.waitForEvent("page"),
      second.page.evaluate(() => {
        window.open("/chat", "_blank");
      }),
    ]);
    await waitLive(opened);
    // The opened window really started from a copy of the first tab's sessionStorage (tokens included).
    expect(await opened.evaluate(() => sessionStorage.getItem("e2e.copied"))).toBe("yes");
    const ids = await Promise.all([second.page, secondTab, opened].map(tabClientId));
    const browserId = await browserClientId(second.page);
    expect(new Set([...ids, browserId]).size).toBe(4);
    // The browser's devices page lists the tabs under their browser, this tab marked.
    await secondTab.getByRole("link", { name: "Devices" }).click();
    const thisTab = secondTab.locator(`[data-testid="device"][data-client-id="${ids[1]}"]`);
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
    await journey.stack.query(
      `UPDATE client_sessions SET expires_at = '${sqlTime(Date.now() - 60 * 60 * 1000)}' WHERE user_id = ${closed.userId} AND client_id = ${closed.clientId}`,
    );
    // A reload of a tab is not a close: same client (sessionStorage survives), and the page renews the
    // token its own pagehide beacon had shortened.
    const beforeReload = await tabCredentials(secondTab);
    await secondTab.reload();
    await waitLive(secondTab);
    expect(await tabClientId(secondTab)).toBe(beforeReload.clientId);
    await eventually(
      "the reloaded tab's refresh token has its full life again",
      () => refreshExpiry(beforeReload),
      (expires) => expires > Date.now() + 11 * 60 * 60 * 1000,
    );
    const device = (clientId: string | undefined) =>
      secondTab.locator(`[data-testid="device"][data-client-id="${clientId}"]`);
    await device(ids[1]).getByText("This tab").waitFor();
    await device(ids[0]).waitFor();
    expect(await device(closed.clientId).count()).toBe(0);

    await openChat(secondTab);
    const burst = ["tabs 1", "tabs 2", "tabs 3"];
    await sendFast(ann.page, burst);
    for (const page of [second.page, secondTab]) {
      await eventually(
        "both tabs got every message",
        () => messageTexts(page),
        (texts) => texts.slice(-3).join("|") === burst.join("|"),
      );
    }
    // Each tab sends as its own client (its own clientSeq space): both tabs' sends land.
    await sendFast(secondTab, ["from tab two"]);
    await sendFast(second.page, ["from tab one"]);
    await eventually(
      "A sees both tabs' messages",
      () => messageTexts(ann.page),
      (texts) => texts.includes("from tab two") && texts.includes("from tab one"),
    );
  });

  test("revoking one tab signs out only that tab; the browser's other tab keeps working", async () => {
    const browser = await benBrowserInChat();
    const doomed = await browser.context.newPage();
    await doomed.goto("/chat");
    await waitLive(doomed);
    const revokedTab = await tabClientId(doomed);
    const revoker = await devicesPage();
    const device = revoker.locator(`[data-testid="device"][data-client-id="${revokedTab}"]`);
    await device.getByRole("button", { name: /Revoke/ }).click();
    await doomed.waitForURL(/\/sign-in/, { timeout: 8000 });
    await doomed.getByText("This device was signed out").waitFor();
    expect(await doomed.evaluate(() => sessionStorage.getItem("parley.tab"))).toBeNull();
    // The other tab of that browser is untouched: still live, still receiving.
    await waitLive(browser.page);
    await sendFast(ann.page, ["after one tab was revoked"]);
    await eventually(
      "the other tab still receives",
      () => messageTexts(browser.page),
      (texts) => texts.at(-1) === "after one tab was revoked",
    );
  });

  test("revoking a browser from another signs it out within seconds, its tabs with it", async () => {
    const browser = await benBrowserInChat();
    // Which client is that browser? Ask the API from inside it (its own cookie).
    const browserId = await browserClientId(browser.page);
    const revoker = await devicesPage();
    const device = revoker.locator(`[data-testid="device"][data-client-id="${browserId}"]`);
    await device.getByRole("button", { name: /Revoke/ }).click();
    const started = Date.now();
    await browser.page.waitForURL(/\/sign-in/, { timeout: 8000 });
    expect(Date.now() - started).toBeLessThan(8000);
    await browser.page.getByText("This device was signed out").waitFor();
    // Its tab client went with it (the browser's revoke cascades to its tabs).
    expect(await browser.page.evaluate(() => sessionStorage.getItem("parley.tab"))).toBeNull();
    // The revoking browser itself stays signed in and live.
    await waitLive(revoker);
  });
});
