import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import { type RouteUser, startRouteHarness } from "./route-harness";

let h: Awaited<ReturnType<typeof startRouteHarness>>;
let alice: RouteUser & { cookie: string | null };
let bob: RouteUser & { cookie: string | null };
let eve: RouteUser & { cookie: string | null };
let dialogId: string;
let image: { id: string };
let pdf: { id: string };
let png: Uint8Array;

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.baseUrl}${path}`, { headers });
const bearer = (user: RouteUser) => ({ authorization: `Bearer ${user.token}` });

beforeAll(async () => {
  h = await startRouteHarness("att_download");
  alice = await h.signUp();
  bob = await h.signUp("cookie");
  eve = await h.signUp();
  dialogId = await h.createGroup([alice.userId, bob.userId]);
  png = new Uint8Array(
    await sharp({ create: { width: 300, height: 200, channels: 3, background: "#0a0" } })
      .png()
      .toBuffer(),
  );
  image = (await (await h.upload(alice, png, { scope: dialogId, name: "green.png" })).json()) as {
    id: string;
  };
  pdf = (await (
    await h.upload(alice, "%PDF-1.4 report", { scope: dialogId, name: "réport.pdf" }, "application/pdf")
  ).json()) as { id: string };
}, 30_000);
afterAll(() => h?.close());

describe("download", () => {
  test("a member reads an image inline with its sniffed type, private and revalidated", async () => {
    const answer = await get(`/api/attachments/${dialogId}/${image.id}`, bearer(alice));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("image/png");
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("cache-control")).toBe("private, no-cache");
    expect(answer.headers.get("vary")).toContain("Authorization");
    expect(answer.headers.get("content-disposition")).toStartWith("inline;");
    expect(Buffer.from(await answer.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
  });

  test("another member with the browser's session cookie (how an <img> loads it); then 304 on revalidation", async () => {
    const answer = await get(`/api/attachments/${dialogId}/${image.id}`, { cookie: bob.cookie ?? "" });
    expect(answer.status).toBe(200);
    const etag = answer.headers.get("etag") ?? "";
    const again = await get(`/api/attachments/${dialogId}/${image.id}`, {
      cookie: bob.cookie ?? "",
      "if-none-match": etag,
    });
    expect(again.status).toBe(304);
  });

  test("the preview is a small WebP", async () => {
    const answer = await get(`/api/attachments/${dialogId}/${image.id}?variant=thumb`, bearer(alice));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(new Uint8Array(await answer.arrayBuffer())).metadata();
    expect(meta.width).toBe(300);
  });

  test("a file downloads as an attachment with its name", async () => {
    const answer = await get(`/api/attachments/${dialogId}/${pdf.id}`, bearer(alice));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/pdf");
    expect(answer.headers.get("content-disposition")).toBe(
      `attachment; filename="r_port.pdf"; filename*=UTF-8''r%C3%A9port.pdf`,
    );
  });

  test("a non-member gets the same 404 as for an id that does not exist (nothing to enumerate)", async () => {
    const notMember = await get(`/api/attachments/${dialogId}/${image.id}`, bearer(eve));
    const missing = await get(`/api/attachments/${dialogId}/99999999`, bearer(eve));
    const otherScope = await get(`/api/attachments/12345/${image.id}`, bearer(alice));
    expect([notMember.status, missing.status, otherScope.status]).toEqual([404, 404, 404]);
    const bodies = await Promise.all([notMember.text(), missing.text(), otherScope.text()]);
    expect(new Set(bodies).size).toBe(1);
    expect(
      await get(`/api/attachments/${dialogId}/${image.id}?variant=thumb`, bearer(eve)).then((r) => r.status),
    ).toBe(404);
  });

  test("signed out: 401; a revoked client: 401", async () => {
    expect((await get(`/api/attachments/${dialogId}/${image.id}`)).status).toBe(401);
    const extra = await h.signInAgain(h.users.get(alice.userId) ?? { handle: "" });
    await h.auth.revokeClient(alice.userId, extra.clientId);
    await Bun.sleep(50);
    const revoked = await get(`/api/attachments/${dialogId}/${image.id}`, bearer(extra));
    expect(revoked.status).toBe(401);
  });

  test("a member who left is refused at once, even for a copy they fetched before", async () => {
    const carol = await h.signUp();
    const group = await h.createGroup([alice.userId, carol.userId]);
    const up = (await (await h.upload(alice, png, { scope: group, name: "p.png" })).json()) as { id: string };
    const first = await get(`/api/attachments/${group}/${up.id}`, bearer(carol));
    expect(first.status).toBe(200);
    await h.removeMember(group, carol.userId);
    const etag = first.headers.get("etag") ?? "";
    const after = await get(`/api/attachments/${group}/${up.id}`, {
      ...bearer(carol),
      "if-none-match": etag,
    });
    expect(after.status).toBe(404);
  });
});
