import { describe, expect, test } from "bun:test";
import { checkProfiles } from "./check-profiles";

const server = new Map([
  ["user 1", { key: "user 1", name: "Ann 2", version: 2 }],
  ["group 9", { key: "group 9", name: "Team", version: 1 }],
]);

describe("names invariant", () => {
  test("clients holding the server's names and versions pass", () => {
    const findings = checkProfiles(
      server,
      [{ client: "u0.c0", held: [...server.values()] }],
      [{ what: "u1 rename", ok: true }],
    );
    expect(findings.nameMismatches).toBe(0);
    expect(findings.renames).toBe(1);
  });

  test("an older version or another name is a mismatch; a failed rename is only counted", () => {
    const findings = checkProfiles(
      server,
      [
        {
          client: "u0.c1",
          held: [
            { key: "user 1", name: "Ann 1", version: 1 },
            { key: "group 9", name: "Team", version: -1 },
          ],
        },
      ],
      [{ what: "u1 rename", ok: false, error: "fetch failed" }],
    );
    expect(findings.nameMismatches).toBe(2);
    expect(findings.userNameMismatches).toBe(1);
    expect(findings.renamesFailed).toBe(1);
    expect(findings.details[0]).toContain("user 1");
  });
});
