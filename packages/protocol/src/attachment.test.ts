import { describe, expect, test } from "bun:test";
import { describeMedia, ZMediaContent } from "./attachment";
import { ZMessageContent } from "./message";

const ref = (id: string, mime: string, name = "f") => ({ id, name, size: 10, mime });

describe("media content", () => {
  test("1–10 attachments, a caption that may be empty, and nothing but allowed types", () => {
    expect(
      ZMessageContent.safeParse({ kind: "media", text: "", attachments: [ref("1", "image/png")] }).success,
    ).toBe(true);
    expect(ZMediaContent.safeParse({ kind: "media", text: "", attachments: [] }).success).toBe(false);
    const eleven = Array.from({ length: 11 }, (_, i) => ref(String(i + 1), "image/png"));
    expect(ZMediaContent.safeParse({ kind: "media", text: "", attachments: eleven }).success).toBe(false);
    expect(
      ZMediaContent.safeParse({ kind: "media", text: "", attachments: [ref("1", "text/html")] }).success,
    ).toBe(false);
    expect(
      ZMediaContent.safeParse({ kind: "media", text: "x".repeat(4001), attachments: [ref("1", "image/png")] })
        .success,
    ).toBe(false);
    expect(
      ZMediaContent.safeParse({ kind: "media", text: "\ud800", attachments: [ref("1", "image/png")] })
        .success,
    ).toBe(false);
  });

  test("one line for the inbox: the caption, else what was sent", () => {
    const media = (text: string, ...attachments: ReturnType<typeof ref>[]) =>
      ZMediaContent.parse({ kind: "media", text, attachments });
    expect(describeMedia(media("look", ref("1", "image/png")))).toBe("look");
    expect(describeMedia(media("", ref("1", "image/png")))).toBe("Photo");
    expect(describeMedia(media("  ", ref("1", "image/png"), ref("2", "image/jpeg")))).toBe("2 photos");
    expect(describeMedia(media("", ref("1", "image/png"), ref("2", "application/pdf", "plan.pdf")))).toBe(
      "plan.pdf +1",
    );
  });
});
