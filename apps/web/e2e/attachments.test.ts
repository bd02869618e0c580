/**
 * Attachments across two people: Ann sends a photo with a caption and a PDF, then at once a text;
 * Ben sees the photo's preview (loaded from the members-only route with his session), the PDF as a
 * chip, and the text after the photo (the upload finished later, yet nothing overtook it); the
 * photo opens full size. Someone outside the chat gets 404 for the same URL. Screenshots at desktop
 * and phone width (UPDATE_SCREENSHOTS=1 writes them to docs/screenshots).
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { dialogItem, eventually, PHONE, startDirectChat, waitLive } from "./browser";
import { useJourney } from "./fixture";

setDefaultTimeout(120_000);

const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dir, "../../../docs/screenshots")
    : join(import.meta.dir, "../test-results/screenshots");

const journey = useJourney();

/** A real PNG drawn by the browser (a sky and a sun), as the bytes a file picker would hand over. */
async function drawPhoto(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 960;
    canvas.height = 640;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2d context");
    const sky = ctx.createLinearGradient(0, 0, 0, 640);
    sky.addColorStop(0, "#4f46e5");
    sky.addColorStop(1, "#f59e0b");
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 960, 640);
    ctx.fillStyle = "#fde68a";
    ctx.beginPath();
    ctx.arc(700, 220, 110, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = "#1e3a8a";
    ctx.fillRect(0, 500, 960, 140);
    return canvas.toDataURL("image/png");
  });
  return Buffer.from(dataUrl.split(",")[1] ?? "", "base64");
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

test("a photo and a file reach the other person; a text sent right after never overtakes them", async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const ann = await journey.signUp("Ann Archer");
  const ben = await journey.signUp("Ben Baker");
  const cy = await journey.signUp("Cy Cole");
  await startDirectChat(ann.page, ben);
  await waitLive(ann.page);

  const photo = await drawPhoto(ann.page);
  await ann.page.getByTestId("attach-input").setInputFiles([
    { name: "sunset.png", mimeType: "image/png", buffer: photo },
    { name: "itinerary.pdf", mimeType: "application/pdf", buffer: PDF },
  ]);
  await expect(ann.page.locator(".staged-file-name").allTextContents()).resolves.toEqual([
    "sunset.png",
    "itinerary.pdf",
  ]);
  // A slow uplink (about 16 KB/s) keeps the upload running while the next message is typed.
  const cdp = await ann.context.newCDPSession(ann.page);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 16 * 1024,
  });
  const composer = ann.page.getByLabel("Message", { exact: true });
  await composer.fill("Look at this sky");
  await composer.press("Enter");
  // Typed while the files upload: it must land after them, on every screen.
  await composer.fill("That was from the hill");
  await composer.press("Enter");
  await eventually(
    "Ann: the upload's progress shows in the pending bubble, the later text waits behind it",
    async () => ({
      progress: await ann.page.locator("li.message-pending .attachment-upload progress").count(),
      pending: await ann.page.locator("li.message-pending").count(),
    }),
    (seen) => seen.progress === 1 && seen.pending === 2,
  );
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  const order = (page: Page) =>
    page
      .locator('[data-testid="message"]')
      .evaluateAll((items) =>
        items.map(
          (item) =>
            (item.querySelector(".attachments") ? "files" : "") +
            (item.querySelector(".message-text")?.textContent ?? ""),
        ),
      );
  await eventually(
    "Ann: files then text, both sent",
    async () => ({
      order: await order(ann.page),
      pending: await ann.page.locator("li.message-pending, li.message-failed").count(),
    }),
    (seen) => seen.order.join("|") === "filesLook at this sky|That was from the hill" && seen.pending === 0,
  );

  await dialogItem(ben.page, ann.displayName).click();
  await eventually(
    "Ben: files then text",
    () => order(ben.page),
    (seen) => seen.join("|") === "filesLook at this sky|That was from the hill",
  );
  const preview = ben.page.locator(".attachment-image img").first();
  await eventually(
    "Ben's preview loaded (members-only route, his session)",
    () => preview.evaluate((img: HTMLImageElement) => ({ done: img.complete, width: img.naturalWidth })),
    (img) => img.done && img.width > 0,
  );
  // The box was reserved from the server's dimensions (960 × 640 → 3:2) before the image loaded.
  const box = await ben.page.locator(".attachment-image").first().boundingBox();
  expect(Math.round(((box?.width ?? 0) / (box?.height ?? 1)) * 10) / 10).toBe(1.5);
  await expect(ben.page.locator(".attachment-file-name").allTextContents()).resolves.toEqual([
    "itinerary.pdf",
  ]);
  const fileHref = await ben.page.locator(".attachment-file").getAttribute("href");
  expect(fileHref).toMatch(/^\/api\/attachments\/\d+\/\d+$/);

  await ben.page.screenshot({ path: join(SCREENSHOTS, "attachments-desktop.png") });

  // Full size on click, closed with Escape.
  await ben.page.locator(".attachment-image").first().click();
  const full = ben.page.locator("dialog.image-viewer img");
  await eventually(
    "the full-size image",
    () => full.evaluate((img: HTMLImageElement) => img.naturalWidth),
    (width) => width === 960,
  );
  await ben.page.keyboard.press("Escape");
  await eventually(
    "viewer closed",
    () => ben.page.locator("dialog.image-viewer").count(),
    (n) => n === 0,
  );

  // Someone outside the chat, signed in: the same URLs answer 404, as for ids that do not exist.
  const imageUrl = await preview.getAttribute("src");
  for (const url of [imageUrl, fileHref]) {
    const status = await cy.page.evaluate(async (path) => (await fetch(path ?? "")).status, url);
    expect(status).toBe(404);
  }

  // Ben at phone width.
  const benPhone = await journey.signIn(ben, PHONE);
  await dialogItem(benPhone.page, ann.displayName).click();
  await eventually(
    "phone preview loaded",
    () =>
      benPhone.page
        .locator(".attachment-image img")
        .first()
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    (loaded) => loaded,
  );
  await benPhone.page.screenshot({ path: join(SCREENSHOTS, "attachments-phone.png") });
  expect([...ann.errors, ...ben.errors, ...benPhone.errors]).toEqual([]);
});

test("a file the server refuses fails in place with Retry and Delete; later messages are not held up", async () => {
  const dee = await journey.signUp("Dee Dunn");
  const eli = await journey.signUp("Eli Eaton");
  await startDirectChat(dee.page, eli);
  await waitLive(dee.page);
  // Named like a picture, typed like one, but a web page: the server sniffs the bytes and refuses it.
  await dee.page.getByTestId("attach-input").setInputFiles([
    {
      name: "cat.png",
      mimeType: "image/png",
      buffer: Buffer.from("<html><script>alert(1)</script></html>"),
    },
  ]);
  const composer = dee.page.getByLabel("Message", { exact: true });
  await composer.press("Enter");
  await composer.fill("sent after the bad file");
  await composer.press("Enter");
  await eventually(
    "the bad file failed; the text went through",
    async () => ({
      failed: await dee.page.locator("li.message-failed").count(),
      texts: await dee.page.locator('[data-testid="message"] .message-text').allInnerTexts(),
    }),
    (seen) => seen.failed === 1 && seen.texts.includes("sent after the bad file"),
  );
  await expect(dee.page.getByRole("button", { name: "Retry", exact: true }).count()).resolves.toBe(1);
  await dee.page
    .getByRole("button", { name: /Delete|Discard/ })
    .first()
    .click();
  await eventually(
    "deleted",
    () => dee.page.locator("li.message-failed").count(),
    (n) => n === 0,
  );
});
