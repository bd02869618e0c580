import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import { describeImage, THUMB_MAX_SIDE } from "./image";

describe("describeImage", () => {
  test("dimensions and a bounded WebP preview", async () => {
    const png = await sharp({ create: { width: 1600, height: 900, channels: 3, background: "#3366cc" } })
      .png()
      .toBuffer();
    const facts = await describeImage(new Uint8Array(png));
    expect(facts).toMatchObject({ width: 1600, height: 900 });
    const thumb = await sharp(facts.thumb).metadata();
    expect(thumb.format).toBe("webp");
    expect(thumb.width).toBe(THUMB_MAX_SIDE);
    expect(thumb.height).toBe(270);
  });

  test("EXIF rotation is applied: a portrait photo stored sideways reports portrait", async () => {
    const jpeg = await sharp({ create: { width: 400, height: 200, channels: 3, background: "#000" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const facts = await describeImage(new Uint8Array(jpeg));
    expect(facts).toMatchObject({ width: 200, height: 400 });
    expect((await sharp(facts.thumb).metadata()).height).toBe(400);
  });

  test("bytes that only start like an image are refused", async () => {
    const fake = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    await expect(describeImage(fake)).rejects.toThrow();
  });
});
