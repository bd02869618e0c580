/**
 * What a message may contain and how it is shown: HTML stays text and runs nothing (in the
 * conversation and in the inbox preview), links are clickable only for http(s) and open safely,
 * Shift+Enter writes a new line.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { dialogItem, eventually, messageTexts, sendFast, startDirectChat } from "./browser";
import { type Person, useJourney } from "./fixture";

setDefaultTimeout(60_000);

const journey = useJourney();
let ann: Person;
let ben: Person;

beforeAll(async () => {
  ann = await journey.signUp("Ann Archer");
  ben = await journey.signUp("Ben Baker");
  await startDirectChat(ann.page, ben);
  await sendFast(ann.page, ["hello"]);
  await dialogItem(ben.page, ann.displayName).click();
  await eventually(
    "B has the conversation open",
    () => messageTexts(ben.page),
    (texts) => texts.includes("hello"),
  );
}, 120_000);

describe("message content", () => {
  test("HTML in a message is shown as text and runs nothing", async () => {
    const payload = "<img src=x onerror=alert(1)>";
    await sendFast(ann.page, [payload]);
    await eventually(
      "B shows it",
      () => messageTexts(ben.page),
      (texts) => texts.at(-1) === payload,
    );
    for (const tracked of [ann, ben]) {
      expect(await tracked.page.locator(".timeline img").count()).toBe(0);
      expect(tracked.dialogs).toEqual([]);
      expect(tracked.errors).toEqual([]);
    }
    // The inbox preview is text too.
    expect(await ben.page.locator(".dialog-list img").count()).toBe(0);
  });

  test("links are clickable only for http(s), and Shift+Enter writes a new line", async () => {
    const composer = ann.page.getByLabel("Message", { exact: true });
    await composer.fill("see https://example.com/a?b=1 and javascript:alert(1)");
    await composer.press("Enter");
    const link = ben.page.locator(".timeline a").last();
    await eventually(
      "B shows the link",
      () => link.getAttribute("href"),
      (href) => href === "https://example.com/a?b=1",
    );
    expect(await link.getAttribute("rel")).toContain("noopener");
    expect(await link.getAttribute("rel")).toContain("noreferrer");
    expect(await ben.page.locator('.timeline a[href^="javascript:"]').count()).toBe(0);

    await composer.pressSequentially("first line");
    await composer.press("Shift+Enter");
    await composer.pressSequentially("second line");
    await composer.press("Enter");
    await eventually(
      "two-line message",
      () => messageTexts(ben.page),
      (texts) => texts.at(-1) === "first line\nsecond line",
    );
  });
});
