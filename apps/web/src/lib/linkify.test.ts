import { describe, expect, test } from "bun:test";
import { linkify } from "./linkify";

describe("linkify", () => {
  test("keeps plain text as one part", () => {
    expect(linkify("hello <b>there</b>")).toEqual([{ kind: "text", text: "hello <b>there</b>" }]);
  });

  test("links http(s) URLs and leaves sentence punctuation outside", () => {
    expect(linkify("see https://example.com/a?b=1, ok")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { kind: "text", text: ", ok" },
    ]);
  });

  test("never links other schemes", () => {
    const parts = linkify("javascript:alert(1) data:text/html,x ftp://x.y");
    expect(parts.every((part) => part.kind === "text")).toBe(true);
  });
});
