/**
 * The app at desktop and phone width, with the screenshots the README shows (UPDATE_SCREENSHOTS=1
 * writes them to docs/screenshots; every run writes them under test-results/): the inbox, a
 * conversation, the devices page; at phone width the sidebar collapses and the keyboard's first stop
 * is the skip link.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { dialogItem, eventually, messageTexts, PHONE, sendFast, startDirectChat, waitLive } from "./browser";
import { useJourney } from "./fixture";

setDefaultTimeout(120_000);

const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");

const journey = useJourney();

async function shot(page: Page, name: string) {
  await waitLive(page);
  await page.getByTestId("dialog-item").first().waitFor();
  // Names arrive a moment after the inbox (profiles by id); "…" is their placeholder.
  await eventually(
    "names loaded",
    () => page.locator(".dialog-item-title").allTextContents(),
    (titles) => !titles.includes("…"),
  );
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

test("screenshots at desktop and phone width; the phone layout and its keyboard order", async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  await startDirectChat(ann.page, ben);
  await sendFast(ann.page, ["Morning! Did the build go green?", "And the e2e run?"]);
  await dialogItem(ben.page, ann.displayName).click();
  await sendFast(ben.page, ["It did, shipping after lunch.", "All journeys pass.", "Lunch first?"]);
  await sendFast(ann.page, ["Great — see you at 2."]);
  await eventually(
    "the conversation on A's side",
    () => messageTexts(ann.page),
    (texts) => texts.length === 6,
  );

  await ann.page.goto("/chat");
  await shot(ann.page, "inbox-desktop");
  await dialogItem(ann.page, ben.displayName).click();
  await eventually(
    "conversation loaded",
    () => messageTexts(ann.page),
    (texts) => texts.length > 5,
  );
  await shot(ann.page, "conversation-desktop");

  const phone = await journey.signIn(ann, PHONE);
  await shot(phone.page, "inbox-phone");
  await dialogItem(phone.page, ben.displayName).click();
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

  // Client-side navigation keeps the socket; the desktop devices page now lists the phone too.
  await ann.page.getByRole("link", { name: "Devices" }).click();
  await ann.page.getByTestId("device").nth(1).waitFor();
  await shot(ann.page, "devices-desktop");
});
