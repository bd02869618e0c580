/**
 * The first screen a person sees, against the whole stack in production mode: forms that work before
 * (or without) JavaScript, signed-out visitors sent to sign-in by the server, and an inbox and a
 * conversation whose first paint already has names and the newest messages. Prints the first
 * meaningful paint of a signed-in inbox (a figure, not an assertion) and takes the first-screen
 * screenshots at desktop and phone width.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { DESKTOP, messageTexts, PHONE, sendFast, startDirectChat, waitLive } from "./browser";
import { PASSWORD, type Person, useJourney } from "./fixture";

setDefaultTimeout(60_000);

const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");
const MESSAGES = [
  "Morning! Did the build go green?",
  "It did, shipping after lunch.",
  "Great — see you at 2.",
];

const journey = useJourney();
let ann: Person;
let dialogPath = "";

/** A JavaScript-less context carrying `from`'s cookies: what the server alone renders. */
async function withoutJs(from: BrowserContext | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await journey.browser.newContext({
    baseURL: journey.stack.appUrl,
    javaScriptEnabled: false,
  });
  if (from) await context.addCookies(await from.cookies());
  return { context, page: await context.newPage() };
}

beforeAll(async () => {
  // Ann and Ben talk; the first-paint checks then look at Ann's inbox and their conversation.
  ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  dialogPath = await startDirectChat(ann.page, ben);
  await sendFast(ann.page, MESSAGES);
  await ann.page.locator(".message-sent, .message-delivered, .message-read").nth(2).waitFor();
  await ben.context.close();
}, 600_000);

describe("first screen", () => {
  test("without JavaScript, sign-up and sign-in work and land in the inbox", async () => {
    const { context, page } = await withoutJs(null);
    const dot = `dot${journey.run}`;
    try {
      await page.goto("/sign-up");
      await page.getByLabel("Handle").fill(dot);
      await page.getByLabel("Display name").fill("Dot Diaz");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL("**/chat");
      expect(await page.locator(".sidebar-me strong").textContent()).toBe("Dot Diaz");

      // Signed out (cookie gone), a wrong password comes back as a sentence on the sign-in page.
      await context.clearCookies();
      await page.goto("/sign-in");
      await page.getByLabel("Handle").fill(dot);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL("**/sign-in?**");
      expect(await page.locator(".form-error").textContent()).toBe("Wrong handle or password.");
      expect(page.url()).not.toContain("not%20the%20password");
      expect(page.url()).not.toContain("not+the+password");
      // The handle is kept for the next try.
      expect(await page.getByLabel("Handle").inputValue()).toBe(dot);

      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL("**/chat");
      expect(await page.locator(".sidebar-me strong").textContent()).toBe("Dot Diaz");
    } finally {
      await context.close();
    }
  });

  test("an empty field is named in words, without JavaScript too", async () => {
    const { context, page } = await withoutJs(null);
    try {
      await page.goto("/sign-in");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL("**/sign-in?**");
      expect(await page.locator(".field-error").first().textContent()).toBe("Enter your handle.");
    } finally {
      await context.close();
    }
  });

  test("a signed-out visitor is redirected by the server, before any page renders", async () => {
    for (const path of ["/", "/chat", dialogPath, "/devices"]) {
      const response = await fetch(`${journey.stack.appUrl}${path}`, { redirect: "manual" });
      expect([302, 303, 307, 308]).toContain(response.status);
      expect(new URL(response.headers.get("location") ?? "", journey.stack.appUrl).pathname).toBe("/sign-in");
    }
    // A stale cookie (signed out elsewhere) is sent to sign-in by the server too.
    const stale = await fetch(`${journey.stack.appUrl}/chat`, {
      redirect: "manual",
      headers: { cookie: "parley_session=not-a-session" },
    });
    expect(new URL(stale.headers.get("location") ?? "", journey.stack.appUrl).pathname).toBe("/sign-in");
  });

  test("the server-rendered inbox and conversation already show names and the newest messages", async () => {
    const { context, page } = await withoutJs(ann.context);
    try {
      await page.goto("/chat");
      const html = await page.content();
      expect(html).not.toContain("Loading");
      expect(await page.locator(".dialog-item-title").allTextContents()).toEqual(["Ben Baker"]);
      expect(await page.locator(".dialog-item-preview").first().textContent()).toBe(MESSAGES[2] ?? "");

      await page.goto(dialogPath);
      expect(await page.locator(".pane-title h1").textContent()).toBe("Ben Baker");
      expect(await messageTexts(page)).toEqual(MESSAGES);
      expect(await page.content()).not.toContain("No messages yet");
    } finally {
      await context.close();
    }
  });

  test("a favicon, an app icon and a manifest", async () => {
    const favicon = await fetch(`${journey.stack.appUrl}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toContain("icon");
    const manifest = (await (await fetch(`${journey.stack.appUrl}/manifest.webmanifest`)).json()) as {
      name: string;
      icons: { src: string }[];
    };
    expect(manifest.name).toBe("Parley");
    for (const icon of manifest.icons)
      expect((await fetch(`${journey.stack.appUrl}${icon.src}`)).status).toBe(200);
    const { context, page } = await withoutJs(null);
    try {
      await page.goto("/sign-in");
      expect(await page.locator('link[rel="icon"]').count()).toBeGreaterThan(0);
      expect(await page.locator('link[rel="manifest"]').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  test("first meaningful paint of a signed-in inbox (production build)", async () => {
    const page = await ann.context.newPage();
    // Meaningful: the inbox row shows the peer's name. Checked before every frame from the very
    // first one, so a placeholder painted first (and replaced later) counts until it is replaced.
    await page.addInitScript(() => {
      const state = window as unknown as { meaningfulAt?: number };
      const check = () => {
        const titles = [...document.querySelectorAll(".dialog-item-title")].map((node) => node.textContent);
        if (titles.includes("Ben Baker")) state.meaningfulAt = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    const figures: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.goto("/chat", { waitUntil: "commit" });
      await page.locator(".dialog-item-title", { hasText: "Ben Baker" }).waitFor();
      await page.waitForFunction(() => (window as unknown as { meaningfulAt?: number }).meaningfulAt);
      const paint = await page.evaluate(() => {
        const contentful = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
        const meaningful = (window as unknown as { meaningfulAt?: number }).meaningfulAt ?? 0;
        return Math.max(contentful, meaningful);
      });
      figures.push(Math.round(paint));
    }
    const sorted = [...figures].sort((x, y) => x - y);
    const load = (await Bun.file("/proc/loadavg").text()).split(" ")[0];
    console.log(
      `first meaningful paint, signed-in inbox: median ${sorted[2]} ms (runs ${figures.join(", ")} ms; load ${load})`,
    );
    expect(sorted[2]).toBeGreaterThan(0);
    await page.close();
  });

  test("the composer counts near the limit and says why it will not send past it", async () => {
    await ann.page.goto(dialogPath);
    await waitLive(ann.page);
    const composer = ann.page.getByLabel("Message", { exact: true });
    await composer.fill("x".repeat(4001));
    const note = ann.page.locator(".composer-count");
    expect(await note.textContent()).toBe(
      "Too long to send: 4,001 of 4,000 characters. Remove 1 to send it.",
    );
    expect(await ann.page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await composer.fill("x".repeat(3600));
    expect(await note.textContent()).toBe("3,600 / 4,000");
    await composer.fill("");
  });

  test("on a phone the members panel is a sheet that Back dismisses, staying in the conversation", async () => {
    const context = await journey.browser.newContext({ baseURL: journey.stack.appUrl, viewport: PHONE });
    await context.addCookies(await ann.context.cookies());
    const page = await context.newPage();
    try {
      await page.goto(dialogPath);
      await page.getByRole("button", { name: "Details" }).click();
      const sheet = page.locator(".members-panel.sheet");
      await sheet.waitFor();
      await page.goBack();
      await sheet.waitFor({ state: "detached" });
      expect(new URL(page.url()).pathname).toBe(dialogPath);
      // A tap outside dismisses it too.
      await page.getByRole("button", { name: "Details" }).click();
      await sheet.waitFor();
      await page.getByRole("button", { name: "Close members" }).click({ position: { x: 20, y: 20 } });
      await sheet.waitFor({ state: "detached" });
      expect(new URL(page.url()).pathname).toBe(dialogPath);
    } finally {
      await context.close();
    }
  });

  test("screenshots of the first screens at desktop and phone width", async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [width, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      const visitor = await journey.browser.newContext({ baseURL: journey.stack.appUrl, viewport });
      const signedOut = await visitor.newPage();
      await signedOut.goto("/chat");
      await signedOut.waitForURL("**/sign-in");
      await signedOut.screenshot({ path: join(SCREENSHOTS, `first-signed-out-${width}.png`) });
      await visitor.close();

      const context = await journey.browser.newContext({ baseURL: journey.stack.appUrl, viewport });
      await context.addCookies(await ann.context.cookies());
      const page = await context.newPage();
      await page.goto("/chat");
      await waitLive(page);
      await page.screenshot({ path: join(SCREENSHOTS, `first-inbox-${width}.png`) });
      await page.goto(dialogPath);
      // On a phone the sidebar (and its indicator) is hidden behind the conversation: attached is enough.
      await page.locator('[data-state="live"]').first().waitFor({ state: "attached" });
      expect(await messageTexts(page)).toEqual(MESSAGES);
      await page.screenshot({ path: join(SCREENSHOTS, `first-conversation-${width}.png`) });
      await context.close();
    }
  });
});
