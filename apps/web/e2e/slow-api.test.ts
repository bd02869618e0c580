/**
 * The browser under a slow API: every message.send takes seconds (a delaying proxy in front of the
 * app, the browser's only origin), so fast typing puts many sends in flight at once and their
 * answers come back out of order. Thirty messages typed fast must all arrive, in order, none failed,
 * on both sides.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { type DelayProxy, startDelayProxy } from "@parley/chaos/http-delay-proxy";
import type { Browser, Page } from "playwright-core";
import {
  eventually,
  launchBrowser,
  messageTexts,
  openContext,
  sendFast,
  signUp,
  type TrackedPage,
  waitForConversation,
} from "./browser";
import { buildWebApp, type Stack, startStack } from "./stack";

setDefaultTimeout(120_000);

const PASSWORD = "correct horse battery staple";
const run = Date.now().toString(36);
let stack: Stack;
let proxy: DelayProxy | undefined;
let browser: Browser;
let a: TrackedPage;
let b: TrackedPage;

beforeAll(async () => {
  browser = await launchBrowser();
  await buildWebApp();
  stack = await startStack(async ({ appUrl }) => {
    // The proxy is the app's public origin (cookies, cross-site checks); Next sits behind it.
    proxy = startDelayProxy({ upstream: appUrl });
    return { APP_URL: proxy.url };
  });
  a = await openContext(browser, proxy?.url ?? "");
  b = await openContext(browser, proxy?.url ?? "");
}, 240_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  proxy?.stop();
  await stack?.stop();
});

/** What a conversation shows: texts in order, how many are failed, how many lack a seq (pending). */
async function conversation(page: Page) {
  const texts = await messageTexts(page);
  const failed = await page.locator('[data-testid="message"].message-failed, .message-failed').count();
  const pending = await page.locator('[data-testid="message"]:not([data-seq])').count();
  return { texts, failed, pending };
}

test("30 messages typed fast while every send takes seconds: both sides show all 30, in order, none failed", async () => {
  const handleA = `slowa${run}`;
  const handleB = `slowb${run}`;
  await signUp(a.page, handleA, "Slow Ann", PASSWORD);
  await signUp(b.page, handleB, "Slow Ben", PASSWORD);

  await a.page.getByRole("button", { name: "New chat or group" }).click();
  await a.page.getByRole("menuitem", { name: /New chat/ }).click();
  await a.page.getByLabel("Handle", { exact: true }).fill(handleB);
  await a.page.getByRole("button", { name: "Start chat" }).click();
  const path = await waitForConversation(a.page);

  // From here every send is slow: 1.5–3.5 s before it reaches the API, up to 1 s more for the answer,
  // drawn per request from a fixed seed, so sends overtake each other.
  proxy?.setPlan({ seed: 9, sendBeforeMs: [1_500, 3_500], sendAfterMs: [0, 1_000] });
  const sent = Array.from({ length: 30 }, (_, i) => `slow ${String(i + 1).padStart(2, "0")}`);
  await sendFast(a.page, sent);
  // Typed faster than the server answers: several sends were in flight together.
  expect(proxy?.inFlight().sends ?? 0).toBeGreaterThan(0);

  // Settled: every message either confirmed (has a seq) or failed; none still pending.
  const settled = (view: Awaited<ReturnType<typeof conversation>>) =>
    view.texts.length >= 30 && view.pending === view.failed;
  const shownA = await eventually("A's 30 settle", () => conversation(a.page), settled, {
    timeoutMs: 90_000,
  });
  expect(shownA.texts).toEqual(sent);
  expect(shownA.failed).toBe(0);

  await b.page.goto(path);
  const shownB = await eventually("B shows all 30", () => conversation(b.page), settled, {
    timeoutMs: 60_000,
  });
  expect(shownB.texts).toEqual(sent);
  expect(shownB.failed).toBe(0);
  // The seqs (one order for every client) run in send order on both sides.
  for (const page of [a.page, b.page]) {
    const seqs = await page
      .locator('[data-testid="message"]')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(30);
  }
  proxy?.setPlan(null);
});
