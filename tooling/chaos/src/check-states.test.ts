import { describe, expect, test } from "bun:test";
import { canonicalReactions, checkStates, type MessageStateView, type StateSnapshot } from "./check-states";

const state = (id: string, over: Partial<MessageStateView> = {}): MessageStateView => ({
  id,
  deleted: false,
  text: `t${id}`,
  edited: false,
  reactions: "",
  ...over,
});

const snapshot = (over: Partial<StateSnapshot>): StateSnapshot => ({
  dialogId: "9",
  kind: "group",
  server: [state("1"), state("2", { edited: true, text: "new" })],
  views: [],
  changes: [],
  ...over,
});

describe("life-cycle invariant", () => {
  test("clients that show the server's states pass; any difference is a mismatch", () => {
    const same = snapshot({
      views: [{ client: "a", states: [state("1"), state("2", { edited: true, text: "new" })] }],
    });
    expect(checkStates([same]).stateMismatches).toBe(0);
    const stale = snapshot({ views: [{ client: "b", states: [state("1"), state("2")] }] });
    const findings = checkStates([stale]);
    expect(findings.stateMismatches).toBe(1);
    expect(findings.details[0]).toContain("message 2");
    const undeleted = snapshot({
      server: [state("1", { deleted: true, text: "" })],
      views: [{ client: "c", states: [state("1")] }],
    });
    expect(checkStates([undeleted]).stateMismatches).toBe(1);
  });

  test("reactions compare as counts and reactors, whatever order they were listed in", () => {
    const a = canonicalReactions([
      { emoji: "👍", count: 2, userIds: ["2", "1"] },
      { emoji: "🎉", count: 1, userIds: ["3"] },
    ]);
    const b = canonicalReactions([
      { emoji: "🎉", count: 1, userIds: ["3"] },
      { emoji: "👍", count: 2, userIds: ["1", "2"] },
    ]);
    expect(a).toBe(b);
    expect(canonicalReactions([{ emoji: "👍", count: 3, userIds: ["1", "2"] }])).not.toBe(a);
  });

  test("a change must end acked; a refusal counts only when a delete explains it", () => {
    const findings = checkStates([
      snapshot({
        changes: [
          { client: "a", what: "edit", status: "sent" },
          { client: "a", what: "reaction", status: "failed", error: "NOT_FOUND: the message was deleted" },
          { client: "b", what: "edit", status: "failed", error: "FORBIDDEN: only the sender can edit" },
          { client: "b", what: "delete", status: "pending" },
        ],
      }),
    ]);
    expect(findings).toMatchObject({ changes: 4, changesAcked: 1, changesRefused: 1, changeFailures: 2 });
  });
});
