/**
 * Names, groups and noticing things in a real browser against the whole stack: renames reaching
 * other people's open tabs live and after a reload, the unread count in the tab title, presence and
 * typing in the inbox, and browser notifications (one tab of a user, never for one's own messages).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  createGroup,
  DESKTOP,
  dialogItem,
  eventually,
  messageTexts,
  PHONE,
  sendFast,
  startDirectChat,
  waitLive,
} from "./browser";
import { type Person, useJourney } from "./fixture";

setDefaultTimeout(90_000);

const journey = useJourney();
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");

/**
 * Every `new Notification(...)` a page makes, recorded on window (the real one is still called), and
 * a switch that makes the page report itself hidden (headless tabs are always "visible").
 */
const NOTIFICATION_PROBE = () => {
  const w = window as unknown as {
    __notifications: { title: string; body: string; tag: string }[];
    __setHidden: (hidden: boolean) => void;
    Notification: typeof Notification;
  };
  w.__notifications = [];
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      w.__notifications.push({ title, body: options?.body ?? "", tag: options?.tag ?? "" });
    }
  }
  w.Notification = Recorded as unknown as typeof Notification;
  let hidden = false;
  Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
  Object.defineProperty(document, "hidden", { get: () => hidden });
  w.__setHidden = (next: boolean) => {
    hidden = next;
    document.dispatchEvent(new Event("visibilitychange"));
  };
};

let amy: Person;
let bob: Person;
let cy: Person;
/** Bob's second tab (same browser context: same cookie, its own tab client). */
let bob2: Page;

async function notificationsOf(page: Page) {
  return page.evaluate(
    () => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications,
  );
}

async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate(
    (value) => (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(value),
    hidden,
  );
}

/** Notifications granted and recorded in every page of this person's browser, from the next load on. */
async function probeNotifications(person: Person): Promise<void> {
  await person.context.grantPermissions(["notifications"], { origin: journey.stack.appUrl });
  await person.context.addInitScript(NOTIFICATION_PROBE);
  await person.page.reload();
  await waitLive(person.page);
}

describe("names, groups and noticing", () => {
  test("three people sign up; Amy and Bob talk; Bob has a second tab open", async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    amy = await journey.signUp("Amy Adams");
    bob = await journey.signUp("Bob Brown");
    cy = await journey.signUp("Cy Cole");
    await probeNotifications(amy);
    await probeNotifications(bob);
    await startDirectChat(amy.page, bob);
    await sendFast(amy.page, ["hi Bob"]);
    await dialogItem(bob.page, "Amy Adams").waitFor();
    bob2 = await bob.context.newPage();
    await bob2.goto("/chat");
    await dialogItem(bob2, "Amy Adams").waitFor();
  });

  test("the unread count is in the tab title of both of B's tabs, and leaves once read", async () => {
    for (const page of [bob.page, bob2]) {
      await eventually(
        "title count",
        () => page.title(),
        (title) => title === "(1) Parley",
      );
    }
    await sendFast(amy.page, ["are you there?"]);
    for (const page of [bob.page, bob2]) {
      await eventually(
        "title count",
        () => page.title(),
        (title) => title === "(2) Parley",
      );
    }
    await dialogItem(bob.page, "Amy Adams").click();
    await eventually(
      "B reads",
      () => messageTexts(bob.page),
      (texts) => texts.includes("are you there?"),
    );
    for (const page of [bob.page, bob2]) {
      await eventually(
        "title cleared",
        () => page.title(),
        (title) => title === "Parley",
      );
    }
  });

  test("presence: B sees A online in the header and as a dot in the inbox", async () => {
    await eventually(
      "A online in B's header",
      () => bob.page.getByTestId("presence").first().textContent(),
      (text) => text === "online",
    );
    expect(await dialogItem(bob2, "Amy Adams").getByTestId("presence-dot").count()).toBe(1);
  });

  test("typing shows in the inbox row of B's other tab", async () => {
    await amy.page.getByLabel("Message", { exact: true }).pressSequentially("typing slowly", { delay: 30 });
    await eventually(
      "typing in B2's inbox row",
      () => dialogItem(bob2, "Amy Adams").getByTestId("inbox-typing").allTextContents(),
      (texts) => texts[0] === "typing…",
    );
    await amy.page.getByLabel("Message", { exact: true }).fill("");
  });

  test("a notification: one of B's hidden tabs shows it, never A's own; a muted chat is quiet", async () => {
    await setHidden(bob.page, true);
    await setHidden(bob2, true);
    await setHidden(amy.page, true);
    await sendFast(amy.page, ["ping while hidden"]);
    const shown = await eventually(
      "one notification across B's tabs",
      async () => [...(await notificationsOf(bob.page)), ...(await notificationsOf(bob2))],
      (list) => list.length >= 1,
    );
    await Bun.sleep(500);
    const all = [...(await notificationsOf(bob.page)), ...(await notificationsOf(bob2))];
    expect(all).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: "Amy Adams", body: "ping while hidden" });
    expect(await notificationsOf(amy.page)).toHaveLength(0);

    // Muted (from one tab: stored on the server) → no notification and no count in any tab.
    await setHidden(bob.page, false);
    await bob.page.getByRole("button", { name: "Mute" }).click();
    await bob.page.getByRole("button", { name: "Unmute" }).waitFor();
    await dialogItem(bob2, "Amy Adams").getByTestId("muted-icon").waitFor();
    await setHidden(bob.page, true);
    await sendFast(amy.page, ["muted ping"]);
    await eventually(
      "B2's inbox shows it",
      () => dialogItem(bob2, "Amy Adams").textContent(),
      (t) => !!t?.includes("muted ping"),
    );
    await Bun.sleep(500);
    expect([...(await notificationsOf(bob.page)), ...(await notificationsOf(bob2))]).toHaveLength(1);
    expect(await bob2.title()).toBe("Parley");
    await setHidden(bob.page, false);
    await bob.page.getByRole("button", { name: "Unmute" }).click();
    await setHidden(bob2, false);
    await setHidden(amy.page, false);
  });

  test("A renames herself: B's open tabs show the new name live, and after a reload", async () => {
    await amy.page.getByRole("link", { name: "Settings" }).click();
    const field = amy.page.getByLabel("Display name");
    await field.fill("Amy Archer");
    await amy.page.getByRole("button", { name: "Save" }).click();
    await amy.page.getByText("Saved.").waitFor();
    await eventually(
      "A's own sidebar",
      () => amy.page.getByTestId("my-name").textContent(),
      (t) => t === "Amy Archer",
    );
    for (const page of [bob.page, bob2]) await dialogItem(page, "Amy Archer").waitFor({ timeout: 10_000 });
    await bob.page.getByTestId("conversation-title").filter({ hasText: "Amy Archer" }).waitFor();
    await bob2.reload();
    await dialogItem(bob2, "Amy Archer").waitFor();
    expect(await dialogItem(bob2, "Amy Adams").count()).toBe(0);
    await amy.page.screenshot({ path: join(SCREENSHOTS, "settings-name-desktop.png") });
  });

  test("Amy sets a picture: Bob's inbox shows it (the attachment route's preview), live", async () => {
    const picture = await amy.page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 240;
      canvas.height = 240;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("no 2d context");
      ctx.fillStyle = "#f59e0b";
      ctx.fillRect(0, 0, 240, 240);
      ctx.fillStyle = "#4f46e5";
      ctx.beginPath();
      ctx.arc(120, 100, 60, 0, Math.PI * 2);
      ctx.fill();
      return canvas.toDataURL("image/png");
    });
    await amy.page
      .getByTestId("avatar-file")
      .setInputFiles([
        { name: "me.png", mimeType: "image/png", buffer: Buffer.from(picture.split(",")[1] ?? "", "base64") },
      ]);
    const image = dialogItem(bob.page, "Amy Archer").locator(".avatar img");
    await image.waitFor({ timeout: 15_000 });
    expect(await image.getAttribute("src")).toMatch(/^\/api\/attachments\/\d+\/\d+\?variant=thumb$/);
    // The browser could load it: Bob shares a chat with Amy, so the route lets him read her avatar.
    await eventually(
      "Bob's browser decoded the picture",
      () => image.evaluate((img) => (img as HTMLImageElement).naturalWidth),
      (width) => width > 0,
    );
  });

  test("a name the rules refuse shows a clear error and changes nothing", async () => {
    await amy.page.getByLabel("Display name").fill("evil\u202Egnp.exe");
    await amy.page.getByRole("button", { name: "Save" }).click();
    const error = amy.page.locator(".settings-card .form-error[role=alert]");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/invisible|control|bidi/i);
    await bob.page.reload();
    await dialogItem(bob.page, "Amy Archer").waitFor();
  });

  test("a group rename by its owner reaches another member's open tab; a member has no rename form", async () => {
    await amy.page.goto("/chat");
    await createGroup(amy.page, "Trio", [bob.handle, cy.handle]);
    await sendFast(amy.page, ["hello trio"]);
    await dialogItem(cy.page, "Trio").click();
    await eventually(
      "C sees the group",
      () => messageTexts(cy.page),
      (texts) => texts.includes("hello trio"),
    );
    await cy.page.getByRole("button", { name: "Members" }).click();
    expect(await cy.page.getByLabel("Group name").count()).toBe(0);

    await amy.page.getByRole("button", { name: "Members" }).click();
    await amy.page.getByLabel("Group name").fill("Book club");
    await amy.page.getByRole("button", { name: "Rename" }).click();
    await cy.page
      .getByTestId("conversation-title")
      .filter({ hasText: "Book club" })
      .waitFor({ timeout: 10_000 });
    await dialogItem(cy.page, "Book club").waitFor();
    await dialogItem(bob.page, "Book club").waitFor();
    await cy.page.screenshot({ path: join(SCREENSHOTS, "group-renamed-desktop.png") });
    await cy.page.setViewportSize(PHONE);
    await cy.page.screenshot({ path: join(SCREENSHOTS, "group-renamed-phone.png") });
    await cy.page.setViewportSize(DESKTOP);
  });

  test("screenshots: presence and typing in the inbox, settings on a phone", async () => {
    await bob.page.goto("/chat");
    await dialogItem(bob.page, "Amy Archer").waitFor();
    await amy.page.goto("/chat");
    await dialogItem(amy.page, "Bob Brown").click();
    await amy.page.getByLabel("Message", { exact: true }).pressSequentially("hmm", { delay: 40 });
    await dialogItem(bob.page, "Amy Archer").getByTestId("inbox-typing").waitFor();
    await bob.page.screenshot({ path: join(SCREENSHOTS, "inbox-typing-presence-desktop.png") });
    await bob.page.setViewportSize(PHONE);
    await bob.page.screenshot({ path: join(SCREENSHOTS, "inbox-typing-presence-phone.png") });
    await bob.page.goto("/settings");
    await bob.page.getByLabel("Display name").waitFor();
    await bob.page.screenshot({ path: join(SCREENSHOTS, "settings-phone.png") });
    for (const person of [amy, bob, cy]) expect(person.errors).toEqual([]);
  });
});
