import { describe, expect, test } from "bun:test";
import { checkDialogs, type DialogSnapshot, violationCount } from "./check";

const server = [
  { seq: 1, id: "m1", key: "u0.c0#0" },
  { seq: 2, id: "m2", key: "u1.c0#0" },
  { seq: 3, id: "m3", key: "u0.c0#1" },
];
const shownAll = server.map((m) => ({ seq: m.seq, id: m.id, key: m.key, status: "sent" }));
const sentAll: DialogSnapshot["sent"] = [
  { client: "u0.c0", key: "u0.c0#0", expectRefusal: false, status: "sent", msgId: "m1" },
  { client: "u1.c0", key: "u1.c0#0", expectRefusal: false, status: "sent", msgId: "m2" },
  { client: "u0.c0", key: "u0.c0#1", expectRefusal: false, status: "sent", msgId: "m3" },
];
const healthy = (): DialogSnapshot => ({
  dialogId: "d1",
  kind: "group",
  server: [...server],
  views: [
    { client: "u0.c0", shown: [...shownAll] },
    { client: "u1.c0", shown: [...shownAll] },
  ],
  sent: [...sentAll],
});

describe("checkDialogs", () => {
  test("a converged dialog has no violations; an expected refusal shown failed is fine", () => {
    const dialog = healthy();
    dialog.sent.push({
      client: "u1.c0",
      key: "u1.c0#1",
      expectRefusal: true,
      status: "failed",
      error: "BAD_REQUEST: too long",
    });
    const findings = checkDialogs([dialog]);
    expect(violationCount(findings)).toBe(0);
    expect(findings).toMatchObject({ sent: 4, acked: 3, committed: 3, failed: 1, refusals: 1 });
    expect(findings.failedReasons).toEqual({ BAD_REQUEST: 1 });
  });

  test("a client missing a message, showing one twice, or out of the server's order", () => {
    const dialog = healthy();
    dialog.views[0] = {
      client: "u0.c0",
      shown: [shownAll[0], shownAll[2], { seq: null, id: null, key: "u0.c0#1", status: "pending" }].filter(
        (m) => m !== undefined,
      ),
    };
    dialog.views[1] = {
      client: "u1.c0",
      shown: [
        shownAll[0],
        { seq: 2, id: "m3", key: "u0.c0#1", status: "received" },
        { seq: 3, id: "m2", key: "u1.c0#0", status: "received" },
      ].filter((m) => m !== undefined),
    };
    const findings = checkDialogs([dialog]);
    expect(findings.lost).toBe(1);
    expect(findings.duplicates).toBe(1);
    expect(findings.orderViolations).toBe(2);
  });

  test("a false failure, a failure of a committed message, a phantom and an unsettled send", () => {
    const dialog = healthy();
    dialog.sent[2] = {
      client: "u0.c0",
      key: "u0.c0#1",
      expectRefusal: false,
      status: "failed",
      error: "CONFLICT: renumbered",
    };
    dialog.sent.push({ client: "u1.c0", key: "u1.c0#1", expectRefusal: false, status: "pending" });
    dialog.views[1]?.shown.push({ seq: 4, id: "m9", key: "u9.c9#0", status: "received" });
    const findings = checkDialogs([dialog]);
    expect(findings.falseFailures).toBe(1);
    expect(findings.failedButCommitted).toBe(1);
    expect(findings.phantoms).toBe(1);
    expect(findings.unsettled).toBe(1);
    expect(findings.failedReasons).toEqual({ CONFLICT: 1 });
  });

  test("a sender's later message committed before an earlier one, and an ack the server does not hold", () => {
    const dialog = healthy();
    dialog.server = [
      server[0],
      { seq: 2, id: "m3", key: "u0.c0#2" },
      { seq: 3, id: "m2", key: "u0.c0#1" },
    ].filter((m) => m !== undefined);
    dialog.views = [];
    dialog.sent = [{ client: "u1.c0", key: "u1.c0#5", expectRefusal: false, status: "sent", msgId: "m7" }];
    const findings = checkDialogs([dialog]);
    expect(findings.senderOrderViolations).toBe(1);
    expect(findings.ackedButMissing).toBe(1);
  });

  test("a refused message shown anything but failed is a missed refusal", () => {
    const dialog = healthy();
    dialog.sent.push({ client: "u1.c0", key: "u1.c0#1", expectRefusal: true, status: "pending" });
    expect(checkDialogs([dialog]).missedRefusals).toBe(1);
  });
});
