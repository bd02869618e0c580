/**
 * Names people see are safe to show: sign-up bounds handles, display names and client names; names
 * and titles may not hide or reorder text (controls, bidi overrides, invisible and format
 * characters); handles are ASCII, unique after case folding, and look-alikes are refused with the rule.
 */
import { describe, expect, test } from "bun:test";
import { groupCastFixture } from "./group-cast";
import { failure } from "./security-harness";

const { h, owner } = await groupCastFixture("secnames");

describe("names, handles and titles", () => {
  test("sign-up refuses overlong, empty and malformed handles, names and client names", async () => {
    const anonymous = await h.caller();
    const base = { displayName: "D", password: "long enough password", mode: "token" as const };
    const attempts: [string, Record<string, unknown>][] = [
      ["handle 33", { ...base, handle: "h".repeat(33) }],
      ["handle 2", { ...base, handle: "hh" }],
      ["handle with space", { ...base, handle: "a b c" }],
      ["handle with slash", { ...base, handle: "a/b/c" }],
      ["handle starts with dot", { ...base, handle: ".abc" }],
      ["handle with zero-width space", { ...base, handle: "ab\u200bc" }],
      ["handle with RTL override", { ...base, handle: "ab\u202ec" }],
      ["display name 65", { ...base, handle: "okname1", displayName: "d".repeat(65) }],
      ["display name blank", { ...base, handle: "okname2", displayName: "   " }],
      ["client name 129", { ...base, handle: "okname3", clientName: "c".repeat(129) }],
      ["password 129", { ...base, handle: "okname4", password: "p".repeat(129) }],
    ];
    for (const [name, input] of attempts) {
      const error = await failure(() => anonymous.auth.signUp(input as never));
      expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
    }
    // Sign-in is bounded too (argon2 on a megabyte of password would be a cheap DoS).
    const error = await failure(() =>
      anonymous.auth.signIn({ handle: "owner1", password: "p".repeat(129), mode: "token" }),
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
  });

  test("names and titles others see may not hide or reorder text (controls, bidi overrides)", async () => {
    const anonymous = await h.caller();
    const base = { password: "long enough password", mode: "token" as const };
    const names = [
      "evil\u202Egnp.exe",
      "a\u0000b",
      "two\nlines",
      "zero\u200Bwidth",
      "iso\u2067late",
      "b\uFEFFom",
    ];
    for (const [index, displayName] of names.entries()) {
      const error = await failure(() =>
        anonymous.auth.signUp({ ...base, handle: `ctl${index}x`, displayName }),
      );
      expect({ displayName, error }).toMatchObject({ displayName, error: { code: "BAD_REQUEST" } });
      const titled = await failure(() =>
        owner.call.dialog.createGroup({ title: displayName, memberIds: [] }),
      );
      expect({ displayName, titled }).toMatchObject({ displayName, titled: { code: "BAD_REQUEST" } });
    }
    // Emoji sequences (ZWJ) and scripts that need ZWNJ are fine.
    const family = "👨\u200D👩\u200D👧 فارسی\u200Cها";
    await anonymous.auth.signUp({ ...base, handle: "emoji-ok", displayName: family });
    expect((await owner.call.dialog.createGroup({ title: family, memberIds: [] })).title).toBe(family);
    // A client name given at sign-in is cleaned rather than refused.
    const signedIn = await anonymous.auth.signIn({
      ...base,
      handle: "emoji-ok",
      clientName: "Pixel\u202E 9",
    });
    const call = await h.caller({
      authorization: `Bearer ${signedIn.mode === "token" ? signedIn.accessToken : ""}`,
    });
    const names2 = (await call.user.clients()).map((client) => client.name);
    expect(names2).toContain("Pixel 9");
  });

  test("handles are ASCII, unique after case folding, and sign-in accepts any such form", async () => {
    const anonymous = await h.caller();
    const input = { displayName: "Zoë", password: "long enough password", mode: "token" as const };
    const created = await anonymous.auth.signUp({ ...input, handle: "Strasse" });
    for (const twin of ["STRASSE", "strasse", "Ｓｔｒａｓｓｅ"]) {
      const error = await failure(() => anonymous.auth.signUp({ ...input, handle: twin }));
      expect({ twin, error }).toMatchObject({ twin, error: { code: "CONFLICT" } });
    }
    const signedIn = await anonymous.auth.signIn({
      handle: "ＳＴＲＡＳＳＥ",
      password: "long enough password",
      mode: "token",
    });
    expect(signedIn.userId).toBe(created.userId);
    const call = await h.caller({
      authorization: `Bearer ${signedIn.mode === "token" ? signedIn.accessToken : ""}`,
    });
    const found = await call.user.byHandle({ handle: "strasse" });
    expect(found).toMatchObject({ id: signedIn.userId, handle: "strasse" });
  });

  test("look-alike handles (other scripts, fillers) are refused with a message saying the rule", async () => {
    const anonymous = await h.caller();
    const input = { displayName: "Look", password: "long enough password", mode: "token" as const };
    await anonymous.auth.signUp({ ...input, handle: "alice-look" });
    for (const lookalike of [
      "\u0430lice-look", // Cyrillic а
      "b\u03BFb-look", // Greek ο
      "\u3164\u3164\u3164", // Hangul filler
      "alice-look\u3164", // alice-look + filler
      "straße",
    ]) {
      const error = await failure(() => anonymous.auth.signUp({ ...input, handle: lookalike }));
      expect({ lookalike, error }).toMatchObject({ lookalike, error: { code: "BAD_REQUEST" } });
      expect((error as Error).message).toContain("a–z, 0–9");
    }
  });

  test("invisible and format characters are refused in display names and group titles", async () => {
    const anonymous = await h.caller();
    const base = { password: "long enough password", mode: "token" as const };
    const invisibles = {
      "word joiner": "\u2060",
      "left-to-right mark": "\u200E",
      "right-to-left mark": "\u200F",
      "soft hyphen": "\u00AD",
      "Arabic letter mark": "\u061C",
      "Hangul filler": "\u3164",
      "tag character": "\u{E0041}",
      "Mongolian vowel separator": "\u180E",
    };
    for (const [index, [name, invisible]] of Object.entries(invisibles).entries()) {
      for (const displayName of [`Al${invisible}ice`, invisible.repeat(3)]) {
        const error = await failure(() =>
          anonymous.auth.signUp({ ...base, handle: `inv${index}x`, displayName }),
        );
        expect({ name, error }).toMatchObject({ name, error: { code: "BAD_REQUEST" } });
        const titled = await failure(() =>
          owner.call.dialog.createGroup({ title: displayName, memberIds: [] }),
        );
        expect({ name, titled }).toMatchObject({ name, titled: { code: "BAD_REQUEST" } });
      }
    }
  });
});
