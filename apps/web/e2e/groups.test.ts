/**
 * A group of three, a big group here (BIG_GROUP_MIN_MEMBERS=3: one publish on the dialog's subject,
 * fanned out by the gateway): created in the UI and seen by all; a removed member stops receiving and
 * loses the group; added back, she is live again; a member who leaves is gone from it.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { createGroup, dialogItem, eventually, messageTexts, sendFast } from "./browser";
import { useJourney } from "./fixture";

setDefaultTimeout(90_000);

const journey = useJourney();

test("a group of three: created in the UI, seen by all; removed, added back, left", async () => {
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  const cat = await journey.signUp("Cat Cole");
  const title = `Trio ${journey.run}`;
  const deliveriesBefore = await journey.gatewayMetric("realtime_dialog_deliveries_total");

  await createGroup(ann.page, title, [ben.handle, cat.handle]);
  await sendFast(ann.page, ["hello trio"]);
  for (const page of [ben.page, cat.page]) {
    await dialogItem(page, title).click();
    await eventually(
      "group message seen",
      () => messageTexts(page),
      (texts) => texts.includes("hello trio"),
    );
  }
  // It went out once on the dialog's subject, fanned out by the gateway (not once per member).
  expect(await journey.gatewayMetric("realtime_dialog_deliveries_total")).toBeGreaterThan(deliveriesBefore);

  // Removed: no more messages, the conversation says so, and the group leaves her inbox.
  await ann.page.getByRole("button", { name: "Members" }).click();
  await ann.page.getByRole("button", { name: `Remove ${cat.displayName}` }).click();
  await eventually(
    "Cat removed",
    () => ann.page.getByTestId("member").count(),
    (count) => count === 2,
  );
  await sendFast(ann.page, ["after cat left"]);
  await eventually(
    "B gets it",
    () => messageTexts(ben.page),
    (texts) => texts.includes("after cat left"),
  );
  // Give a stray push time to arrive before checking it did not.
  await Bun.sleep(1500);
  expect(await cat.page.locator("text=after cat left").count()).toBe(0);
  await cat.page.getByText("This conversation is not available").waitFor();
  await eventually(
    "the group gone from Cat's inbox",
    () => dialogItem(cat.page, title).count(),
    (n) => n === 0,
  );

  // Added back: she sees what was said since, and is live again — her tab took a fresh token
  // listing the group in-band, so the next message is pushed, not only fetched.
  await ann.page.getByLabel("Add members (handles)").fill(cat.handle);
  await ann.page.getByRole("button", { name: "Add", exact: true }).click();
  await eventually(
    "Cat back",
    () => ann.page.getByTestId("member").count(),
    (count) => count === 3,
  );
  await sendFast(ann.page, ["welcome back cat"]);
  await dialogItem(cat.page, title).click();
  await eventually(
    "Cat sees new messages",
    () => messageTexts(cat.page),
    (texts) => texts.includes("welcome back cat"),
  );
  await sendFast(ann.page, ["live for cat"]);
  await eventually(
    "Cat gets the next one pushed",
    () => messageTexts(cat.page),
    (texts) => texts.at(-1) === "live for cat",
  );

  // Leaving: the group is gone from B's inbox and the others see two members.
  await ben.page.getByRole("button", { name: "Members" }).click();
  await ben.page.getByRole("button", { name: "Leave group" }).click();
  await ben.page.waitForURL(/\/chat$/);
  await eventually(
    "the group gone from B's inbox",
    () => dialogItem(ben.page, title).count(),
    (n) => n === 0,
  );
  await eventually(
    "A sees two members",
    () => ann.page.getByTestId("member").count(),
    (count) => count === 2,
  );
});
