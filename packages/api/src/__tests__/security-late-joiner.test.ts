/**
 * A member added to a group later sees only what was sent after joining: history and sync start at
 * joinedSeq, and so must the inbox's preview of the last message (dialog.get and dialog.list).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { type SecurityHarness, securityFixture } from "./security-harness";

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let owner: User;
let early: User;
let late: User;

const h = await securityFixture("seclate");

beforeAll(async () => {
  owner = await h.user("late-owner");
  early = await h.user("late-early");
  late = await h.user("late-late");
});

async function send(dialogId: string, clientSeq: number, text: string) {
  return owner.call.message.send({
    dialogId,
    clientMsgId: `late-${dialogId}-${clientSeq}`,
    clientSeq,
    content: { kind: "text", text },
  });
}

describe("the last-message preview respects joinedSeq", () => {
  test("a member added after a message does not see its preview, in dialog.get or dialog.list", async () => {
    const group = await owner.call.dialog.createGroup({ title: "before you", memberIds: [early.userId] });
    await send(group.id, 1, "said before the late member joined");
    await owner.call.dialog.addMembers({ dialogId: group.id, userIds: [late.userId] });

    const seenByLate = await late.call.dialog.get({ dialogId: group.id });
    expect(seenByLate.joinedSeq).toBe(1);
    expect(seenByLate.lastMessage).toBeNull();
    expect(seenByLate.unreadCount).toBe(0);
    const listed = (await late.call.dialog.list({ limit: 50 })).items.find((item) => item.id === group.id);
    expect(listed?.lastMessage).toBeNull();
    expect(JSON.stringify(listed)).not.toContain("said before");

    // Members who were there still see it.
    const seenByEarly = await early.call.dialog.get({ dialogId: group.id });
    expect(seenByEarly.lastMessage?.preview).toBe("said before the late member joined");

    // The next message is the late member's to see.
    await send(group.id, 2, "welcome");
    const after = await late.call.dialog.get({ dialogId: group.id });
    expect(after.lastMessage?.preview).toBe("welcome");
    const listedAfter = (await late.call.dialog.list({ limit: 50 })).items.find(
      (item) => item.id === group.id,
    );
    expect(listedAfter?.lastMessage?.preview).toBe("welcome");
  });
});
