/**
 * A browser that goes offline says so, receives nothing while offline, and once back online shows
 * every message sent meanwhile: all of them, in order, once.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import {
  connectionState,
  dialogItem,
  eventually,
  messageTexts,
  sendFast,
  startDirectChat,
  waitLive,
} from "./browser";
import { useJourney } from "./fixture";

setDefaultTimeout(90_000);

const journey = useJourney();

test("B's second browser offline, messages meanwhile, back online: all, in order, once", async () => {
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  const benOffline = await journey.signIn(ben);
  await startDirectChat(ann.page, ben);
  await sendFast(ann.page, ["before going offline"]);
  for (const page of [ben.page, benOffline.page]) {
    await dialogItem(page, ann.displayName).click();
    await page.getByRole("heading", { name: ann.displayName }).waitFor();
    await eventually(
      "the conversation loaded",
      () => messageTexts(page),
      (texts) => texts.includes("before going offline"),
    );
  }

  await benOffline.context.setOffline(true);
  // "offline" itself, not merely "not live": a reconnect under load also shows as not live, and
  // the socket it opens would still deliver.
  await eventually(
    "B's second browser shows it is offline",
    () => connectionState(benOffline.page),
    (state) => state === "offline",
  );
  const burst = Array.from({ length: 5 }, (_, i) => `while offline ${i + 1}`);
  await sendFast(ann.page, burst);
  await eventually(
    "B's online browser got the burst",
    () => messageTexts(ben.page),
    (texts) => texts.at(-1) === burst.at(-1),
  );
  await Bun.sleep(1000);
  // Really offline: nothing of the burst reached it yet.
  expect((await messageTexts(benOffline.page)).filter((text) => text.startsWith("while offline"))).toEqual(
    [],
  );

  await benOffline.context.setOffline(false);
  const texts = await eventually(
    "B's second browser caught up",
    () => messageTexts(benOffline.page),
    (list) => list.at(-1) === burst.at(-1),
    { timeoutMs: 30_000 },
  );
  expect(texts.filter((text) => text.startsWith("while offline"))).toEqual(burst);
  expect(new Set(texts).size).toBe(texts.length);
  await waitLive(benOffline.page);
});
