import sharp from "sharp";

/** Longest side of a timeline preview. */
export const THUMB_MAX_SIDE = 480;
/** Decompression-bomb guard: a small file may claim a huge canvas. */
export const MAX_IMAGE_PIXELS = 40_000_000;
export const THUMB_MIME = "image/webp";

export type ImageFacts = { width: number; height: number; thumb: Uint8Array };

/**
 * An image's displayed size (EXIF rotation applied) and a small WebP preview of its first frame.
 * Throws when the bytes do not decode: a file whose signature says image but is not one is refused.
 */
export async function describeImage(bytes: Uint8Array): Promise<ImageFacts> {
  const options = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" as const };
  const meta = await sharp(bytes, options).metadata();
  if (!meta.width || !meta.height) throw new Error("image without dimensions");
  // Orientations 5–8 are stored rotated by a quarter turn: the displayed width is the stored height.
  const turned = (meta.orientation ?? 1) >= 5;
  const width = turned ? meta.height : meta.width;
  const height = turned ? meta.width : meta.height;
  const thumb = await sharp(bytes, options)
    .rotate()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: 75 })
    .toBuffer();
  return { width, height, thumb: new Uint8Array(thumb) };
}
