import { expect, test } from "bun:test";
import { firstClient, messagingFixture, TEST_MESSAGING, text } from "./messaging-harness";

const {
  h,
  users: [alice, bob],
} = await messagingFixture("rluser", [2, 1]);

test("more clients do not buy more sends: a user's clients share one budget", async () => {
  const services = await h.createServices({
    messaging: { ...TEST_MESSAGING, sendRateLimit: { max: 3, perUserMax: 4, windowMs: 60_000 } },
  });
  const dialog = await firstClient(alice).caller.dialog.openDirect({ userId: bob.userId });
  const [phone, laptop] = alice.clients.map((c) => h.callerFor(services, alice.userId, c.clientId));
  if (!phone || !laptop) throw new Error("alice has two clients");
  const send = (caller: typeof phone, id: string, clientSeq: number) =>
    caller.message.send({ dialogId: dialog.id, clientMsgId: id, clientSeq, content: text(id) });
  for (let clientSeq = 1; clientSeq <= 3; clientSeq++) await send(phone, `p${clientSeq}`, clientSeq);
  await expect(send(phone, "p4", 4)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  await send(laptop, "l1", 1); // the 4th of the user's budget
  await expect(send(laptop, "l2", 2)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
});
