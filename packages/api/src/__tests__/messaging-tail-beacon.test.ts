import { expect, test } from "bun:test";
import { firstClient, messagingFixture, TEST_MESSAGING, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob],
} = await messagingFixture("msgtail", [1, 1]);

test("a quiet dialog's last message is published again, so a client that lost its push finds out", async () => {
  const services = await h.createServices({ messaging: { ...TEST_MESSAGING, tailQuietMs: 200 } });
  const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
  const caller = h.callerFor(services, alice.userId, firstClient(alice).clientId);
  for (let clientSeq = 1; clientSeq <= 3; clientSeq++) {
    await caller.message.send({
      dialogId: dialog.id,
      clientMsgId: `t${clientSeq}`,
      clientSeq,
      content: text("x"),
    });
  }
  const seqsOf = (userId: string) => h.log.messagesOf(userId, dialog.id).map((event) => event.seq);
  // Each member (the sender's own other clients too) hears the tail, seq 3, a second time.
  await h.log.waitFor(
    () => [alice, bob].every((user) => seqsOf(user.userId).filter((seq) => seq === 3).length >= 2),
    5_000,
    "the tail re-published",
  );
  // Only the tail: earlier messages were followed by a later push that reveals any gap.
  for (const user of [alice, bob]) expect(seqsOf(user.userId).filter((seq) => seq < 3)).toEqual([1, 2]);
});
