/** Chromium via playwright-core (Debian's /usr/bin/chromium; never a downloaded browser). */
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A page that records every JS dialog (alert/confirm) and page error, for the XSS checks. */
export type TrackedPage = { context: BrowserContext; page: Page; dialogs: string[]; errors: string[] };

export async function openContext(
  browser: Browser,
  baseURL: string,
  viewport = DESKTOP,
): Promise<TrackedPage> {
  const context = await browser.newContext({ baseURL, viewport, reducedMotion: "reduce" });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, dialogs, errors };
}

export async function signUp(page: Page, handle: string, displayName: string, password: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display name").fill(displayName);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/chat");
  await waitLive(page);
}

export async function signIn(page: Page, handle: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/chat");
  await waitLive(page);
}

export async function waitLive(page: Page, timeout = 15_000) {
  await page.locator('[data-state="live"]').first().waitFor({ timeout });
}

/** The inbox row whose title is exactly `title` (not one whose preview mentions it). */
export function dialogItem(page: Page, title: string) {
  return page
    .getByTestId("dialog-item")
    .filter({ has: page.locator(".dialog-item-title", { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Polling with a deadline: the test kit's one copy (the e2e files have always imported it from here). */
export { eventually } from "@parley/testkit/wait";

/** Waits until the URL is a conversation other than `previous` (navigation is client-side). */
export async function waitForConversation(page: Page, previous?: string): Promise<string> {
  await page.waitForURL((url) => /\/chat\/\d+$/.test(url.pathname) && url.pathname !== previous);
  return new URL(page.url()).pathname;
}

/** The row's unread badge text, or null. Reads without waiting: a count-then-read would wait out the
 * action timeout whenever the badge clears between the two calls. */
export async function unreadBadge(page: Page, title: string): Promise<string | null> {
  const [text] = await dialogItem(page, title).getByTestId("unread-badge").allTextContents();
  return text ?? null;
}

/** Message texts in the open conversation, top to bottom. */
export async function messageTexts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message"] .message-text').allInnerTexts();
}

export async function sendFast(page: Page, texts: string[]) {
  const composer = page.getByLabel("Message", { exact: true });
  for (const text of texts) {
    await composer.fill(text);
    await composer.press("Enter");
  }
}

export async function connectionState(page: Page): Promise<string | null> {
  return page.locator("[data-state]").first().getAttribute("data-state");
}

/** From the + menu: a direct chat with the person of `handle`; resolves with its path once shown. */
export async function startDirectChat(page: Page, peer: { handle: string; displayName: string }) {
  const previous = new URL(page.url()).pathname;
  await page.getByRole("button", { name: "New chat or group" }).click();
  await page.getByRole("menuitem", { name: /New chat/ }).click();
  await page.getByLabel("Handle", { exact: true }).fill(peer.handle);
  await page.getByRole("button", { name: "Start chat" }).click();
  const path = await waitForConversation(page, previous);
  await page.getByRole("heading", { name: peer.displayName }).waitFor();
  return path;
}

/** From the + menu: a group named `title` with the people of `handles`; resolves with its path. */
export async function createGroup(page: Page, title: string, handles: string[]) {
  const previous = new URL(page.url()).pathname;
  await page.getByRole("button", { name: "New chat or group" }).click();
  await page.getByRole("menuitem", { name: /New group/ }).click();
  await page.getByLabel("Group title").fill(title);
  await page.getByLabel(/Members \(handles/).fill(handles.join(", "));
  await page.getByRole("button", { name: "Create group" }).click();
  const path = await waitForConversation(page, previous);
  await page.getByRole("heading", { name: title }).waitFor();
  return path;
}
