/**
 * A long conversation opened on a new device shows its newest page first; scrolling up reveals the
 * older history, up to the very first message, each message once.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { dialogItem, eventually, messageTexts, sendFast, startDirectChat } from "./browser";
import { useJourney } from "./fixture";

setDefaultTimeout(120_000);

const journey = useJourney();

/** More than the first page (FIRST_PAGE = 60 server-rendered, then the engine's pages) can hold. */
const OLDEST = Array.from({ length: 30 }, (_, i) => `message ${String(i + 1).padStart(2, "0")}`);
const NEWER = Array.from({ length: 70 }, (_, i) => `older ${String(i + 1).padStart(2, "0")}`);

test("scrolling up reveals older history", async () => {
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  await startDirectChat(ann.page, ben);
  await sendFast(ann.page, [...OLDEST, ...NEWER]);
  await eventually(
    "A shows all it sent",
    () => messageTexts(ann.page),
    (texts) => texts.at(-1) === NEWER.at(-1),
  );

  const reader = await journey.signIn(ben);
  await dialogItem(reader.page, ann.displayName).click();
  await eventually(
    "newest page shown",
    () => messageTexts(reader.page),
    (texts) => texts.at(-1) === NEWER.at(-1),
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
  expect(texts).toEqual([...OLDEST, ...NEWER]);
});
