/**
 * Finding things in a real browser against the whole stack: a person found from the sidebar search
 * (keyboard only) starts a chat; a word in a message sent long ago is found from the other side's
 * sidebar, and clicking the result opens the conversation at that message — far outside the newest
 * messages shown, so brought in with those around it — with the message marked and the word painted;
 * someone outside the conversation finds nothing; the in-conversation search (Ctrl+F) walks matches.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "@parley/testkit/wait";
import type { Browser, Page } from "playwright-core";
import {
  dialogItem,
  launchBrowser,
  messageTexts,
  openContext,
  PHONE,
  sendFast,
  signUp,
  type TrackedPage,
  waitForConversation,
} from "./browser";
import { buildWebApp, type Stack, startStack } from "./stack";

setDefaultTimeout(90_000);

const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");
const PASSWORD = "correct horse battery staple";
const run = Date.now().toString(36);
const handles = { a: `ada${run}`, b: `ben${run}`, c: `cal${run}` };
const TIMEOUT_30S = { timeoutMs: 30_000 };
/** More than the 60 newest messages a conversation first shows: the match is not on screen. */
const FILLER = Array.from({ length: 64 }, (_, index) => `filler line ${index + 1}`);

let stack: Stack;
let browser: Browser;
let a: TrackedPage;
let b: TrackedPage;
let c: TrackedPage;

const searchBox = (page: Page) => page.getByRole("combobox", { name: "Search people and messages" });

/** The marked message and the text the Custom Highlight API paints in it. */
async function focusedMessage(page: Page) {
  return page.evaluate(() => {
    const element = document.querySelector<HTMLElement>("[data-focused]");
    const highlight = CSS.highlights.get("search-match");
    return {
      text: element?.querySelector(".message-text")?.textContent ?? null,
      painted: [...(highlight ?? [])].map((range) => (range as Range).toString()),
      inView: element
        ? (() => {
            const box = element.getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
          })()
        : false,
    };
  });
}

beforeAll(async () => {
  browser = await launchBrowser();
  await buildWebApp();
  stack = await startStack();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
});

describe("search", () => {
  test("Ada finds Ben by a prefix of his handle and starts a chat with the keyboard", async () => {
    a = await openContext(browser, stack.appUrl);
    b = await openContext(browser, stack.appUrl);
    c = await openContext(browser, stack.appUrl);
    await signUp(a.page, handles.a, "Ada Lovelace", PASSWORD);
    await signUp(b.page, handles.b, "Ben Franklin", PASSWORD);
    await signUp(c.page, handles.c, "Cal Ripken", PASSWORD);

    await searchBox(a.page).fill(handles.b.slice(0, 6));
    const person = a.page.getByTestId("search-person").filter({ hasText: "Ben Franklin" });
    await person.waitFor();
    await searchBox(a.page).press("ArrowDown");
    await searchBox(a.page).press("ArrowUp");
    expect(await person.getAttribute("aria-selected")).toBe("true");
    await searchBox(a.page).press("Enter");
    await waitForConversation(a.page);
    await a.page.getByRole("heading", { name: "Ben Franklin" }).waitFor();
    expect(await a.page.getByTestId("search-results").count()).toBe(0);
  });

  test("Ada sends a message, then enough that it scrolls out of the first screen", async () => {
    await sendFast(a.page, ["The pineapple harvest starts early this year", ...FILLER]);
    const dialogId = new URL(a.page.url()).pathname.split("/").at(-1);
    await eventually(
      "all committed",
      () =>
        stack.query(
          `SELECT COUNT(*) AS n FROM messages WHERE dialog_id = ${dialogId} AND status = 'committed'`,
        ),
      (rows) => Number(rows[0]?.n) === FILLER.length + 1,
      TIMEOUT_30S,
    );
    await dialogItem(b.page, "Ada Lovelace").waitFor();
  });

  test("Ben finds the word from the sidebar; the result opens the message in context, highlighted", async () => {
    await searchBox(b.page).fill("PINEAPP");
    const result = b.page.getByTestId("search-message").filter({ hasText: "harvest" });
    await result.waitFor();
    expect(await result.locator("mark").first().textContent()).toBe("pineapp");
    await b.page.screenshot({ path: join(SCREENSHOTS, "search-sidebar-desktop.png") });
    await result.click();
    await waitForConversation(b.page);
    const focused = await eventually(
      "the message is marked",
      () => focusedMessage(b.page),
      (value) => value.text !== null && value.painted.length > 0 && value.inView,
    );
    expect(focused.text).toBe("The pineapple harvest starts early this year");
    expect(focused.painted).toEqual(["pineapp"]);
    // At its place in the conversation, older than the 60 newest it first showed: in context.
    const texts = await messageTexts(b.page);
    const at = texts.indexOf("The pineapple harvest starts early this year");
    expect(texts[at + 1]).toBe("filler line 1");
    await b.page.screenshot({ path: join(SCREENSHOTS, "search-context-desktop.png") });
  });

  test("Cal, who is not in the conversation, finds nothing", async () => {
    await searchBox(c.page).fill("pineapple");
    await c.page.getByText("Nothing found.").waitFor();
    expect(await c.page.getByTestId("search-message").count()).toBe(0);
  });

  test("in the conversation, Ctrl+F walks the matches, newest first", async () => {
    await b.page.keyboard.press("Control+f");
    const box = b.page.getByRole("combobox", { name: "Search in this conversation" });
    await expect(box.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await box.fill("filler line");
    await eventually(
      "matches",
      () => b.page.getByTestId("dialog-search-status").textContent(),
      // 64 match; a page is 50 and says there are more.
      (text) => text === "50+ found",
    );
    await box.press("Enter");
    const newest = await eventually(
      "first match marked",
      () => focusedMessage(b.page),
      (v) => v.text !== null,
    );
    expect(newest.text).toBe("filler line 64");
    await box.press("Enter");
    expect(
      (
        await eventually(
          "second",
          () => focusedMessage(b.page),
          (v) => v.text === "filler line 63",
        )
      ).painted,
    ).toEqual(["filler", "line"]);
    await box.press("Escape");
    expect(await b.page.locator("[data-focused]").count()).toBe(0);
  });

  test("on a phone: results and a message opened in context", async () => {
    const phone = await openContext(browser, stack.appUrl, PHONE);
    await phone.page.goto("/sign-in");
    await phone.page.getByLabel("Handle").fill(handles.b);
    await phone.page.getByLabel("Password").fill(PASSWORD);
    await phone.page.getByRole("button", { name: "Sign in" }).click();
    await phone.page.waitForURL("**/chat");
    await searchBox(phone.page).fill("harvest");
    const result = phone.page.getByTestId("search-message").first();
    await result.waitFor();
    await phone.page.screenshot({ path: join(SCREENSHOTS, "search-sidebar-phone.png") });
    await result.click();
    await eventually(
      "marked",
      () => focusedMessage(phone.page),
      (v) => v.painted.length > 0 && v.inView,
    );
    await phone.page.screenshot({ path: join(SCREENSHOTS, "search-context-phone.png") });
    await phone.context.close();
  });
});
