import { afterAll, beforeAll, expect, test } from "bun:test";
import { FRAME_ERROR_CODES } from "@parley/protocol";
import { type NatsProcess, startNatsServer } from "@parley/testkit/nats-server";
import { openProbe, type WsProbe } from "@parley/testkit/ws-probe";
import { type Stack, startStack } from "./engine-stack";

/** The API's presence.ticket, checked by a real gateway: presence only between people who share a dialog. */
let nats: NatsProcess;
let stack: Stack;
const probes: WsProbe[] = [];
const suffix = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startStack({ label: "rtpresence", apiNatsUrl: nats.url, gatewayNatsUrls: [nats.url] });
}, 60_000);

afterAll(async () => {
  for (const probe of probes) probe.ws.close();
  await stack?.stop();
  await nats?.stop();
});

async function socketOf(client: Awaited<ReturnType<Stack["signUp"]>>): Promise<WsProbe> {
  const { token } = (await stack.call(client, "mutation", "auth.realtimeToken")) as { token: string };
  const probe = openProbe(`${stack.gateways[0]?.wsUrl}?token=${token}`);
  probes.push(probe);
  await probe.waitFor((f) => f.type === "hello");
  return probe;
}

test("a ticket from the API lets a socket watch its dialog peers, and nobody else", async () => {
  const [ann, ben, eve] = await Promise.all([
    stack.signUp(`ann${suffix}`),
    stack.signUp(`ben${suffix}`),
    stack.signUp(`eve${suffix}`),
  ]);
  await stack.call(ann, "mutation", "dialog.openDirect", { userId: ben.userId });
  const watcher = await socketOf(ann);
  const { ticket, userIds } = (await stack.call(ann, "mutation", "presence.ticket", {
    userIds: [ben.userId, eve.userId],
  })) as { ticket: string; userIds: string[] };
  expect(userIds).toEqual([ben.userId]);

  watcher.send({ type: "presence.watch", ticket });
  await watcher.waitFor(
    (f) =>
      f.type === "event" && f.event.type === "presence" && f.event.userId === ben.userId && !f.event.online,
  );
  await socketOf(ben);
  await watcher.waitFor(
    (f) =>
      f.type === "event" && f.event.type === "presence" && f.event.userId === ben.userId && f.event.online,
  );

  // Eve's ticket is hers: on Ann's socket it is refused.
  const evesTicket = (await stack.call(eve, "mutation", "presence.ticket", { userIds: [ben.userId] })) as {
    ticket: string;
  };
  watcher.send({ type: "presence.watch", ticket: evesTicket.ticket, userIds: [eve.userId] });
  await watcher.waitFor((f) => f.type === "error" && f.code === FRAME_ERROR_CODES.presenceNotAllowed);
  expect(
    watcher.frames.some(
      (f) => f.type === "event" && f.event.type === "presence" && f.event.userId === eve.userId,
    ),
  ).toBe(false);
}, 30_000);
