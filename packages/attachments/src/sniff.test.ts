import { describe, expect, test } from "bun:test";
import { sniffMime } from "./sniff";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

describe("sniffMime", () => {
  test("images by their signatures, whatever the client declared", () => {
    expect(sniffMime(bytes(0xff, 0xd8, 0xff, 0xe0), "application/pdf")).toBe("image/jpeg");
    expect(sniffMime(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), null)).toBe("image/png");
    expect(sniffMime(text("GIF89a...."), "text/plain")).toBe("image/gif");
    expect(sniffMime(text("RIFF\0\0\0\0WEBPVP8 "), null)).toBe("image/webp");
  });

  test("documents and media by their signatures", () => {
    expect(sniffMime(text("%PDF-1.7\n"), null)).toBe("application/pdf");
    expect(sniffMime(bytes(0x50, 0x4b, 0x03, 0x04, 0), null)).toBe("application/zip");
    expect(sniffMime(text("ID3\x04"), null)).toBe("audio/mpeg");
    expect(sniffMime(text("\0\0\0\x18ftypmp42"), null)).toBe("video/mp4");
  });

  test("a page, a script or an SVG declared as an image is refused", () => {
    expect(sniffMime(text("<html><script>alert(1)</script>"), "image/png")).toBeNull();
    expect(
      sniffMime(text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), "image/svg+xml"),
    ).toBeNull();
    expect(sniffMime(text("<html>"), "text/html")).toBeNull();
  });

  test("plain text only when declared so and really text", () => {
    expect(sniffMime(text("hello\nworld — ünïcode"), "text/plain; charset=utf-8")).toBe("text/plain");
    expect(sniffMime(text("hello"), "application/octet-stream")).toBeNull();
    expect(sniffMime(bytes(0x68, 0x00, 0x69), "text/plain")).toBeNull();
    expect(sniffMime(bytes(0xc3, 0x28), "text/plain")).toBeNull();
    // A multi-byte character cut at the end of the sample is still text.
    expect(sniffMime(text("ab€").subarray(0, 4), "text/plain")).toBe("text/plain");
  });
});
