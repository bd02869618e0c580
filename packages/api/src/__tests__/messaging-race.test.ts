import { expect, test } from "bun:test";
import type { Caller } from "./messaging-harness";
import { firstClient, messagingFixture, seededRandom, text } from "./messaging-harness";

const { users } = await messagingFixture("msgrace", [2, 2, 1]);

const ROUNDS = 6;
const SENDERS = 4;
const PER_SENDER = 30;
const READERS = 3;

/**
 * The late-commit race: readers sync with afterSeq (= the last seq they hold) while senders write.
 * Since seq is assigned under the dialog lock held to commit, a reader must never see seq N+1 before
 * N commits — otherwise its afterSeq would skip N forever. Each reader checks every page is
 * contiguous from its afterSeq and ends holding exactly 1..total.
 */
async function runRound(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const [u0, u1, u2] = users;
  const group = await firstClient(u0).caller.dialog.createGroup({
    title: `race ${seed}`,
    memberIds: [u1.userId, u2.userId],
  });
  const senderCallers: { caller: Caller; tag: string }[] = [];
  const clients = users.flatMap((user) => user.clients);
  for (let i = 0; i < SENDERS; i++) {
    const client = clients[i % clients.length];
    if (client) senderCallers.push({ caller: client.caller, tag: `r${seed}-c${i}` });
  }
  const total = SENDERS * PER_SENDER;
  let sendersDone = false;

  const send = async ({ caller, tag }: { caller: Caller; tag: string }) => {
    for (let clientSeq = 1; clientSeq <= PER_SENDER; clientSeq++) {
      if (random() < 0.3) await Bun.sleep(Math.floor(random() * 3));
      await caller.message.send({
        dialogId: group.id,
        clientMsgId: `${tag}-${clientSeq}`,
        clientSeq,
        content: text(`${tag} ${clientSeq}`),
      });
    }
  };
  // Distinct sender clients must not share a (dialog, client) sequence: one lane per client.
  const lanes = new Map<Caller, { caller: Caller; tag: string }[]>();
  for (const sender of senderCallers) lanes.set(sender.caller, [...(lanes.get(sender.caller) ?? []), sender]);

  const read = async (caller: Caller, readerIndex: number) => {
    const seen: number[] = [];
    let afterSeq = 0;
    for (;;) {
      const limit = 1 + Math.floor(random() * 20);
      const page = await caller.dialog.sync({ dialogId: group.id, afterSeq, limit });
      page.messages.forEach((message, index) => {
        if (message.seq !== afterSeq + index + 1) {
          throw new Error(
            `reader ${readerIndex}: after ${afterSeq} got seq ${message.seq} at index ${index} (gap or duplicate)`,
          );
        }
      });
      for (const message of page.messages) seen.push(message.seq);
      afterSeq = seen.at(-1) ?? afterSeq;
      if (sendersDone && afterSeq >= total) break;
      if (page.messages.length === 0) await Bun.sleep(random() < 0.5 ? 0 : 1);
    }
    return seen;
  };

  const readerCallers = [u2.clients[0], u1.clients[1], u0.clients[1]].flatMap((c) => (c ? [c.caller] : []));
  const readers = readerCallers.slice(0, READERS).map((caller, index) => read(caller, index));
  await Promise.all(
    [...lanes.values()].map(async (senders) => {
      for (const sender of senders) await send(sender);
    }),
  );
  sendersDone = true;
  const seenByReader = await Promise.all(readers);
  for (const seen of seenByReader) {
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  }
}

test(`late-commit race: ${ROUNDS} randomized rounds, readers never miss or duplicate`, async () => {
  const baseSeed = Number(process.env.RACE_SEED ?? Date.now() % 1_000_000);
  for (let round = 0; round < ROUNDS; round++) {
    const seed = baseSeed + round;
    try {
      await runRound(seed);
    } catch (error) {
      console.error(`late-commit race failed with seed ${seed} (replay: RACE_SEED=${seed})`);
      throw error;
    }
  }
}, 120_000);
