/**
 * The message life cycle in real browsers: edit, delete for everyone, reactions and replies between
 * two people, one of them with a second tab, including changes made while a browser is offline
 * (applied by catch-up when it is back, no reload) and a reply whose original is far up the
 * conversation. Takes the life-cycle screenshots at desktop and phone width.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  connectionState,
  eventually,
  messageTexts,
  PHONE,
  sendFast,
  startDirectChat,
  waitLive,
} from "./browser";
import { type Person, useJourney } from "./fixture";

setDefaultTimeout(180_000);

const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");

const journey = useJourney();

const message = (page: Page, text: string) =>
  page.locator('[data-testid="message"]').filter({ hasText: text }).first();

/** Opens a message's actions (hover on a desktop) and clicks one. */
async function act(page: Page, text: string, action: "Edit" | "Delete" | "Reply" | "React") {
  const item = message(page, text);
  await item.hover();
  await item.getByRole("button", { name: action, exact: true }).click();
}

async function react(page: Page, text: string, emoji: string) {
  await act(page, text, "React");
  await message(page, text)
    .getByRole("menuitem", { name: `React with ${emoji}` })
    .click();
}

async function edit(page: Page, from: string, to: string) {
  await act(page, from, "Edit");
  const box = page.getByLabel("Edit message");
  await box.fill(to);
  await box.press("Enter");
}

async function remove(page: Page, text: string) {
  await act(page, text, "Delete");
  await page.getByTestId("confirm-delete").click();
}

/** What a page shows of one message: text (or tombstone), "edited", reactions ("👍1*" = mine). */
async function shownState(page: Page, text: string) {
  const item = message(page, text);
  if ((await item.count()) === 0) return null;
  return item.evaluate((node) => ({
    text: node.querySelector(".message-text")?.textContent ?? "",
    edited: node.querySelector('[data-testid="edited"]') !== null,
    reactions: [...node.querySelectorAll<HTMLElement>('[data-testid="reaction-chip"]')].map(
      (chip) =>
        `${chip.dataset.emoji}${chip.querySelector(".reaction-count")?.textContent}${chip.getAttribute("aria-pressed") === "true" ? "*" : ""}`,
    ),
  }));
}

/** On a phone the connection indicator sits in the sidebar, hidden behind the conversation. */
const attachedLive = (page: Page) =>
  page.locator('[data-state="live"]').first().waitFor({ state: "attached" });

const tombstones = (page: Page) => page.locator('[data-testid="tombstone"]').count();

test("edit, delete, react and reply reach both people and a second tab, offline included", async () => {
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  const path = await startDirectChat(ann.page, ben);
  await sendFast(ann.page, ["hello ben", "typo herre", "the plan"]);
  const benTab = await ben.context.newPage();
  for (const page of [ben.page, benTab]) {
    await page.goto(path);
    await waitLive(page);
    await eventually(
      "the conversation loaded",
      () => messageTexts(page),
      (t) => t.includes("the plan"),
    );
  }
  const everyone = [ann.page, ben.page, benTab];

  // Edit: the sender's own message, shown as edited everywhere.
  await edit(ann.page, "typo herre", "typo here, fixed");
  for (const page of everyone) {
    await eventually(
      "the edit shows",
      () => shownState(page, "typo here, fixed"),
      (s) => s?.edited === true,
    );
  }

  // Reactions: counts, mine highlighted only for the reactor, on every tab.
  await react(ben.page, "hello ben", "👍");
  await eventually(
    "Ann sees Ben's reaction",
    () => shownState(ann.page, "hello ben"),
    (s) => s?.reactions.join() === "👍1",
  );
  for (const page of [ben.page, benTab]) {
    await eventually(
      "Ben's tabs show it as his",
      () => shownState(page, "hello ben"),
      (s) => s?.reactions.join() === "👍1*",
    );
  }
  await react(ann.page, "hello ben", "👍");
  await eventually(
    "two reactions, one mine",
    () => shownState(ann.page, "hello ben"),
    (s) => s?.reactions.join() === "👍2*",
  );
  // Toggling off from the second tab reaches the first.
  await benTab.locator('[data-testid="reaction-chip"][data-emoji="👍"]').first().click();
  await eventually(
    "Ben's reaction removed on his other tab",
    () => shownState(ben.page, "hello ben"),
    (s) => s?.reactions.join() === "👍1",
  );

  // Reply: a quoted preview on every page.
  await act(ben.page, "the plan", "Reply");
  await ben.page.getByTestId("reply-banner").waitFor();
  await sendFast(ben.page, ["sounds good"]);
  for (const page of everyone) {
    await eventually(
      "the reply shows its quote",
      () =>
        message(page, "sounds good")
          .locator('[data-testid="reply-quote"]')
          .textContent()
          .catch(() => ""),
      (quote) => quote?.includes("the plan") === true,
    );
  }

  // Offline → online: Ann edits, deletes and reacts while offline; Ben reacts meanwhile.
  await ann.context.setOffline(true);
  await eventually(
    "Ann is offline",
    () => connectionState(ann.page),
    (s) => s === "offline",
  );
  await edit(ann.page, "the plan", "the plan, v2");
  await remove(ann.page, "hello ben");
  await react(ann.page, "sounds good", "🎉");
  // Shown at once on Ann's screen, before the server has them.
  await eventually(
    "Ann's own changes show offline",
    () => shownState(ann.page, "the plan, v2"),
    (s) => s?.edited === true,
  );
  expect(await tombstones(ann.page)).toBe(1);
  await react(ben.page, "typo here, fixed", "❤️");
  await Bun.sleep(500);
  expect((await shownState(ben.page, "the plan"))?.edited).toBe(false);

  await ann.context.setOffline(false);
  for (const page of [ben.page, benTab]) {
    await eventually(
      "Ann's offline edit arrives",
      () => shownState(page, "the plan, v2"),
      (s) => s?.edited === true,
      {
        timeoutMs: 30_000,
      },
    );
    await eventually(
      "Ann's offline delete arrives",
      () => tombstones(page),
      (n) => n === 1,
    );
    await eventually(
      "Ann's offline reaction arrives",
      () => shownState(page, "sounds good"),
      (s) => s?.reactions.join().startsWith("🎉1") === true,
    );
    await eventually(
      "the quote follows its edited original",
      () => message(page, "sounds good").locator('[data-testid="reply-quote"]').textContent(),
      (quote) => quote?.includes("the plan, v2") === true,
    );
  }
  await eventually(
    "Ben's reaction reached Ann after she came back",
    () => shownState(ann.page, "typo here, fixed"),
    (s) => s?.reactions.join() === "❤️1",
  );
  expect(await messageTexts(ann.page)).not.toContain("hello ben");

  // Ben offline this time: Ann's changes meanwhile are applied by catch-up, no reload.
  await ben.context.setOffline(true);
  await eventually(
    "Ben is offline",
    () => connectionState(ben.page),
    (s) => s === "offline",
  );
  await edit(ann.page, "the plan, v2", "the plan, v3");
  await react(ann.page, "typo here, fixed", "❤️");
  await remove(ann.page, "typo here, fixed");
  await Bun.sleep(500);
  await ben.context.setOffline(false);
  for (const page of [ben.page, benTab]) {
    await eventually(
      "catch-up applies the edit",
      () => shownState(page, "the plan, v3"),
      (s) => s?.edited === true,
      {
        timeoutMs: 30_000,
      },
    );
    await eventually(
      "catch-up applies the delete",
      () => tombstones(page),
      (n) => n === 2,
    );
  }
  const annView = await messageTexts(ann.page);
  const benView = await messageTexts(ben.page);
  expect(benView).toEqual(annView);
  expect(ann.errors).toEqual([]);

  await screenshots(path, ann, ben);
});

test("a reply's quote scrolls to its original, loading it when it is far above", async () => {
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  const path = await startDirectChat(ann.page, ben);
  await sendFast(ann.page, ["the very first message"]);
  await sendFast(
    ann.page,
    Array.from({ length: 70 }, (_, i) => `filler ${i + 1}`),
  );
  await eventually(
    "all sent",
    () => messageTexts(ann.page),
    (t) => t.at(-1) === "filler 70",
  );
  // The reply is made from the far end: Ann scrolls up to the first message in her own view.
  await ann.page.locator(".timeline").evaluate((el) => {
    el.scrollTop = 0;
  });
  await eventually(
    "Ann's view reaches the first message",
    async () => {
      await ann.page.locator(".timeline").evaluate((el) => {
        el.scrollTop = 0;
      });
      return messageTexts(ann.page);
    },
    (t) => t.includes("the very first message"),
  );
  await act(ann.page, "the very first message", "Reply");
  await sendFast(ann.page, ["answering the first one"]);

  // Ben opens the conversation fresh: the first message is far above what he sees.
  const benPhone = await journey.signIn(ben, PHONE);
  await benPhone.page.goto(path);
  await attachedLive(benPhone.page);
  await eventually(
    "Ben sees the reply",
    () => messageTexts(benPhone.page),
    (t) => t.includes("answering the first one"),
  );
  expect(await messageTexts(benPhone.page)).not.toContain("the very first message");
  await message(benPhone.page, "answering the first one").locator('[data-testid="reply-quote"]').click();
  await eventually(
    "the original is shown and in view",
    async () => {
      const original = message(benPhone.page, "the very first message");
      if ((await original.count()) === 0) return false;
      return original.evaluate((node) => {
        const box = node.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      });
    },
    (inView) => inView,
  );
});

/** The conversation with an edit, reactions, a reply and tombstones, actions open: desktop and phone. */
async function screenshots(path: string, ann: Person, ben: Person) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await react(ben.page, "the plan, v3", "👍");
  await react(ben.page, "the plan, v3", "❤️");
  await eventually(
    "Ben's reactions reach Ann",
    () => shownState(ann.page, "the plan, v3"),
    (s) => s?.reactions.length === 2,
  );
  await message(ann.page, "sounds good").hover();
  await ann.page.screenshot({ path: join(SCREENSHOTS, "life-cycle-desktop.png") });
  const phone = await journey.signIn(ben, PHONE);
  await phone.page.goto(path);
  await attachedLive(phone.page);
  // A fresh device's first paint (rendered by the server) and then its engine show the same
  // timeline as Ann's: no change row as a bubble of its own, tombstones in place.
  const annView = await messageTexts(ann.page);
  await eventually(
    "the phone shows the conversation as Ann sees it",
    () => messageTexts(phone.page),
    (t) => JSON.stringify(t) === JSON.stringify(annView),
  );
  // A tap selects a message on a touch screen and shows its actions.
  await message(phone.page, "the plan, v3").locator(".message-text").click();
  await phone.page.screenshot({ path: join(SCREENSHOTS, "life-cycle-phone.png") });
  await phone.context.close();
}
