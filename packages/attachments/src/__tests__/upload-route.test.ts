import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getAttachment } from "@parley/db/queries";
import sharp from "sharp";
import { type RouteUser, startRouteHarness } from "./route-harness";

let h: Awaited<ReturnType<typeof startRouteHarness>>;
let alice: RouteUser & { handle: string };
let bob: RouteUser;
let dialogId: string;
let png: Uint8Array;

beforeAll(async () => {
  h = await startRouteHarness("att_upload", { maxBytes: 200_000, maxImageBytes: 150_000 });
  alice = await h.signUp();
  bob = await h.signUp();
  dialogId = await h.createGroup([alice.userId]);
  png = new Uint8Array(
    await sharp({ create: { width: 640, height: 480, channels: 3, background: "#c03" } })
      .png()
      .toBuffer(),
  );
}, 30_000);
afterAll(() => h?.close());

describe("upload", () => {
  test("an image: stored, typed by its bytes, measured, with a preview", async () => {
    // Declared as a PDF: the bytes say PNG, and PNG is what is stored and served.
    const answer = await h.upload(
      alice,
      png,
      { purpose: "message", scope: dialogId, name: "../red.png" },
      "application/pdf",
    );
    expect(answer.status).toBe(201);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      mime: "image/png",
      name: "red.png",
      width: 640,
      height: 480,
      thumb: true,
      size: png.byteLength,
    });
    const row = await getAttachment(h.db, dialogId, String(body.id));
    expect(row).toMatchObject({
      ownerId: alice.userId,
      state: "uploaded",
      mime: "image/png",
      purpose: "message",
    });
    expect(await h.storage.head(`attachments/${dialogId}/${body.id}`)).toMatchObject({
      size: png.byteLength,
    });
    expect(await h.storage.head(`attachments/${dialogId}/${body.id}.thumb`)).not.toBeNull();
  });

  test("a file: streamed to storage, no dimensions", async () => {
    const pdf = new TextEncoder().encode(`%PDF-1.4\n${"x".repeat(50_000)}`);
    const answer = await h.upload(
      alice,
      pdf,
      { purpose: "message", scope: dialogId, name: "doc.pdf" },
      "application/pdf",
    );
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ mime: "application/pdf", size: pdf.byteLength });
    expect(body.width).toBeUndefined();
  });

  test("past the size limit: 413 before storing anything", async () => {
    const big = new Uint8Array(250_000);
    big.set(new TextEncoder().encode("%PDF-1.4"));
    const answer = await h.upload(alice, big, { purpose: "message", scope: dialogId, name: "big.pdf" });
    expect(answer.status).toBe(413);
    // An image past the (lower) image limit too.
    const bigImage = new Uint8Array(180_000);
    bigImage.set(png.subarray(0, 16));
    const image = await h.upload(alice, bigImage, { purpose: "message", scope: dialogId, name: "big.png" });
    expect(image.status).toBe(413);
    // Neither left a row (the image's was written, then removed with its bytes).
    expect(await h.countRows(dialogId, "big.pdf")).toBe(0);
    expect(await h.countRows(dialogId, "big.png")).toBe(0);
  });

  test("a type off the allow-list, or a fake image: 415", async () => {
    const html = await h.upload(
      alice,
      "<html><script>alert(1)</script></html>",
      { purpose: "message", scope: dialogId, name: "x.png" },
      "image/png",
    );
    expect(html.status).toBe(415);
    const svg = await h.upload(
      alice,
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      { purpose: "message", scope: dialogId, name: "x.svg" },
      "image/svg+xml",
    );
    expect(svg.status).toBe(415);
    const broken = await h.upload(
      alice,
      png.subarray(0, 40),
      { purpose: "message", scope: dialogId, name: "cut.png" },
      "image/png",
    );
    expect(broken.status).toBe(415);
  });

  test("a non-member gets the same 404 as for a dialog that does not exist", async () => {
    const notMine = await h.upload(bob, png, { purpose: "message", scope: dialogId, name: "a.png" });
    const missing = await h.upload(bob, png, { purpose: "message", scope: "123456789", name: "a.png" });
    expect(notMine.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await notMine.text()).toBe(await missing.text());
  });

  test("no token: 401; a session cookie alone cannot upload (no CSRF surface)", async () => {
    const anonymous = await fetch(`${h.baseUrl}/api/attachments?scope=${dialogId}`, {
      method: "POST",
      body: new Uint8Array(png),
    });
    expect(anonymous.status).toBe(401);
    const browser = await h.signUp("cookie");
    const withCookie = await fetch(`${h.baseUrl}/api/attachments?scope=${dialogId}`, {
      method: "POST",
      headers: { cookie: browser.cookie ?? "" },
      body: new Uint8Array(png),
    });
    expect(withCookie.status).toBe(403);
    const forged = await h.upload({ token: "not-a-token" }, png, { scope: dialogId });
    expect(forged.status).toBe(401);
  });

  test("bad query: 400", async () => {
    const answer = await h.upload(alice, png, { purpose: "wallpaper", scope: dialogId });
    expect(answer.status).toBe(400);
    const noScope = await h.upload(alice, png, { purpose: "message" });
    expect(noScope.status).toBe(400);
  });

  test("an avatar must be an image; a profile avatar goes to the uploader's own scope", async () => {
    const pdf = await h.upload(alice, "%PDF-1.4 x", {
      purpose: "user_avatar",
      scope: bob.userId,
      name: "me.pdf",
    });
    expect(pdf.status).toBe(415);
    const avatar = await h.upload(alice, png, { purpose: "user_avatar", scope: bob.userId, name: "me.png" });
    expect(avatar.status).toBe(201);
    expect(await avatar.json()).toMatchObject({ scopeId: alice.userId, purpose: "user_avatar" });
  });
});

describe("upload budget", () => {
  test("per user across clients: past it, 429 with Retry-After", async () => {
    const limited = await startRouteHarness("att_budget", { uploadsPerWindow: 3 });
    try {
      const user = await limited.signUp();
      const second = await limited.signInAgain(user);
      expect(second.clientId).not.toBe(user.clientId);
      const group = await limited.createGroup([user.userId]);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const who = i % 2 === 0 ? user : second;
        statuses.push((await limited.upload(who, "%PDF-1.4 x", { scope: group, name: `f${i}.pdf` })).status);
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      const refused = await limited.upload(user, "%PDF-1.4 x", { scope: group, name: "again.pdf" });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  }, 30_000);
});
