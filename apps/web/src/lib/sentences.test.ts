import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { asSentence, issueSentence, serverSentence } from "./sentences";

describe("sentences", () => {
  test("an empty field is named in words, not as zod's default", () => {
    const issue = z.object({ handle: z.string().min(1) }).safeParse({ handle: "" }).error?.issues[0];
    expect(issue?.message).toMatch(/Too small/);
    expect(issueSentence("handle", issue ?? {})).toBe("Enter your handle.");
    expect(issueSentence("password", {}, "  ")).toBe("Enter your password.");
  });

  test("zod's length defaults become sentences; messages written for people are kept", () => {
    const short = z.string().min(10).safeParse("abc").error?.issues[0];
    expect(issueSentence("password", short ?? {}, "abc")).toBe("Your password needs at least 10 characters.");
    expect(issueSentence("handle", { code: "custom", message: "handle may only use a-z" }, "A!")).toBe(
      "Handle may only use a-z.",
    );
  });

  test("server phrases become sentences a person can act on", () => {
    expect(serverSentence("cannot open a direct dialog with yourself")).toBe(
      "You can't start a chat with yourself.",
    );
    expect(serverSentence("some new refusal")).toBe("Some new refusal.");
    expect(serverSentence("", "TOO_MANY_REQUESTS")).toMatch(/Wait a moment/);
    expect(asSentence("done!")).toBe("Done!");
  });
});
