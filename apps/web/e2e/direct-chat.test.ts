/**
 * A direct chat between two people, one of them on two browsers: a fast burst arrives complete and
 * in order everywhere, unread badges rise and clear across the reader's browsers, read receipts and
 * typing reach the sender, and a reply raises the sender's badge until it is opened.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { dialogItem, eventually, messageTexts, sendFast, startDirectChat, unreadBadge } from "./browser";
import { useJourney } from "./fixture";

setDefaultTimeout(60_000);

const journey = useJourney();

test("A sends 20 fast; both of B's browsers show them in order; badges, receipts and typing follow", async () => {
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  const benElsewhere = await journey.signIn(ben);

  await startDirectChat(ann.page, ben);
  const sent = Array.from({ length: 20 }, (_, i) => `message ${String(i + 1).padStart(2, "0")}`);
  await sendFast(ann.page, sent);
  await eventually(
    "A shows its 20",
    () => messageTexts(ann.page),
    (texts) => texts.length === 20,
  );

  for (const page of [ben.page, benElsewhere.page]) {
    await eventually(
      "B's unread badge",
      () => unreadBadge(page, ann.displayName),
      (badge) => badge === "20",
    );
  }
  await dialogItem(ben.page, ann.displayName).click();
  await eventually(
    "B shows all 20 in order",
    () => messageTexts(ben.page),
    (texts) => texts.join("|") === sent.join("|"),
  );
  // Reading in one browser clears the badge in the other as well (same user, other client).
  await eventually(
    "B's other browser: badge cleared",
    () => unreadBadge(benElsewhere.page, ann.displayName),
    (badge) => badge === null,
  );
  await dialogItem(benElsewhere.page, ann.displayName).click();
  await eventually(
    "B's other browser shows all 20 in order",
    () => messageTexts(benElsewhere.page),
    (texts) => texts.join("|") === sent.join("|"),
  );

  // A's own state advances to read once B has seen them.
  await eventually(
    "A sees read receipts",
    () => ann.page.locator('[data-testid="message"] [data-delivery]').last().getAttribute("data-delivery"),
    (state) => state === "read",
  );

  // B typing shows on A's side, named.
  await ben.page.getByLabel("Message", { exact: true }).pressSequentially("typing…");
  await ann.page.getByText(`${ben.displayName} is typing…`).waitFor({ timeout: 5000 });
  await ben.page.getByLabel("Message", { exact: true }).fill("");

  // A leaves the conversation; B replies; A's badge rises, then clears when A opens it.
  await ann.page.getByRole("link", { name: "Devices" }).click();
  await ann.page.getByRole("heading", { name: "Devices" }).waitFor();
  await sendFast(ben.page, ["reply from ben"]);
  await eventually(
    "A's badge",
    () => unreadBadge(ann.page, ben.displayName),
    (badge) => badge === "1",
  );
  await dialogItem(ann.page, ben.displayName).click();
  await eventually(
    "A sees the reply",
    () => messageTexts(ann.page),
    (texts) => texts.at(-1) === "reply from ben",
  );
  await eventually(
    "A's badge cleared",
    () => unreadBadge(ann.page, ben.displayName),
    (badge) => badge === null,
  );
  expect(await messageTexts(ann.page)).toEqual([...sent, "reply from ben"]);
});
