import type { Population } from "./population";
import type { Rng } from "./prng";
import type { World } from "./world";

export const FAULT_KINDS = [
  "cut-socket",
  "drop-push",
  "kill-gateway",
  "kill-nats-of-api",
  "kill-api-mid-send",
  "kill-worker",
  "slow-api",
  "resync-storm",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultContext = {
  world: World;
  population: Population;
  rng: Rng;
  /** How long the send phase lasts (ms): a slow API stays slow for that long. */
  loadMs: number;
  log: (line: string) => void;
};

/** What was injected, for the report: the kind, when (ms after the send phase began), what exactly. */
export type FaultRecord = { kind: FaultKind; atMs: number; detail: string };

/**
 * Runs one fault and undoes it (restart, un-slow). Every kill is a SIGKILL: nothing gets to flush,
 * release a lease or say goodbye. Returns a one-line description.
 */
export async function injectFault(kind: FaultKind, ctx: FaultContext): Promise<string> {
  const { world, rng } = ctx;
  switch (kind) {
    case "cut-socket": {
      const all = world.gateways.flatMap((g) => g.proxy.connections().map((c) => ({ gateway: g, c })));
      if (all.length === 0) return "no socket to cut";
      const count = Math.min(all.length, rng.int(1, 3));
      const victims = rng.shuffle(all).slice(0, count);
      for (const { gateway, c } of victims) gateway.proxy.cut(c.id);
      return `cut ${victims.map(({ gateway, c }) => `${gateway.id}#${c.id}(${labelOf(ctx, c.clientId)})`).join(", ")}`;
    }
    case "drop-push": {
      const dialog = rng.pick(ctx.population.dialogs);
      const dropped = await dropNextPush(ctx, dialog.id, () => true, 5_000);
      return dropped?.detail ?? `nothing to drop in ${dialog.kind} ${dialog.id} within 5 s`;
    }
    case "kill-gateway": {
      const index = rng.int(0, world.gateways.length - 1);
      const downMs = rng.int(300, 2_000);
      await world.gateways[index]?.proc.kill("SIGKILL");
      await Bun.sleep(downMs);
      await world.restartGateway(index);
      return `SIGKILL gw${index + 1}, down ${downMs} ms`;
    }
    case "kill-nats-of-api": {
      const index =
        (await world.nats.nodeOf(world.api().natsName)) ?? rng.int(0, world.nats.nodes.length - 1);
      const downMs = rng.int(500, 3_000);
      const node = world.nats.nodes[index];
      if (!node) return "no NATS node";
      await node.stop("SIGKILL");
      await Bun.sleep(downMs);
      await node.restart();
      return `SIGKILL NATS n${index + 1} (the API's), down ${downMs} ms`;
    }
    case "kill-api-mid-send": {
      const sends = await Promise.race([world.apiProxy.nextSendInFlight(), Bun.sleep(5_000).then(() => 0)]);
      // A few ms in: the request is inside the API (Try / Confirm), not only at its socket.
      await Bun.sleep(rng.int(0, 15));
      const downMs = rng.int(300, 2_000);
      await world.api().kill("SIGKILL");
      await Bun.sleep(downMs);
      await world.restartApi();
      return `SIGKILL api with ${sends} send(s) in flight, down ${downMs} ms`;
    }
    case "kill-worker": {
      const downMs = rng.int(500, 4_000);
      await world.worker().kill("SIGKILL");
      await Bun.sleep(downMs);
      await world.restartWorker();
      return `SIGKILL worker, down ${downMs} ms`;
    }
    case "slow-api": {
      const maxBefore = rng.int(1_500, 3_000);
      const maxAfter = rng.int(1_000, 2_500);
      // Sends take seconds and overtake each other; reads are a little slow too.
      world.apiProxy.setPlan({
        seed: rng.int(0, 2 ** 31),
        sendBeforeMs: [0, maxBefore],
        sendAfterMs: [0, maxAfter],
        otherBeforeMs: [0, 300],
      });
      await Bun.sleep(ctx.loadMs);
      world.apiProxy.setPlan(null);
      return `sends delayed 0–${maxBefore} ms in and 0–${maxAfter} ms out for ${ctx.loadMs} ms`;
    }
    case "resync-storm": {
      // Every NATS node restarts in turn: every gateway reconnects and tells every client to resync,
      // and every socket is cut once, so all clients catch up at the same moment.
      const cut = world.gateways.reduce((sum, g) => sum + g.proxy.cutAll(), 0);
      for (const node of world.nats.nodes) {
        await node.stop("SIGKILL");
        await Bun.sleep(rng.int(100, 600));
        await node.restart();
      }
      return `cut ${cut} sockets, rolled all ${world.nats.nodes.length} NATS nodes`;
    }
  }
}

/** Arms a drop of the next push of a message in `dialogId` (any client), waits for it. */
export function dropNextPush(
  ctx: FaultContext,
  dialogId: string,
  matchText: (text: string) => boolean,
  timeoutMs: number,
  /** Never this client's socket (the sender learns its own message from the ack anyway). */
  notClientId?: string,
): Promise<{ detail: string; clientId: string } | null> {
  return new Promise((resolve) => {
    let done = false;
    const cancels: (() => void)[] = [];
    const finish = (result: { detail: string; clientId: string } | null) => {
      if (done) return;
      done = true;
      for (const cancel of cancels) cancel();
      resolve(result);
    };
    for (const gateway of ctx.world.gateways) {
      cancels.push(
        gateway.proxy.dropNext({
          match: (frame, connection) =>
            !done && connection.clientId !== notClientId && isMessagePush(frame, dialogId, matchText),
          onDrop: (dropped) => {
            const seq = /"seq":(\d+)/.exec(dropped.text)?.[1];
            finish({
              detail: `dropped the push of seq ${seq} in ${dialogId} to ${labelOf(ctx, dropped.clientId)} (${gateway.id})`,
              clientId: dropped.clientId,
            });
          },
        }),
      );
    }
    setTimeout(() => finish(null), timeoutMs);
  });
}

function isMessagePush(frame: unknown, dialogId: string, matchText: (text: string) => boolean): boolean {
  const f = frame as {
    type?: unknown;
    event?: { type?: unknown; dialogId?: unknown; message?: { content?: { text?: unknown } } };
  } | null;
  if (f?.type !== "event" || f.event?.type !== "message" || f.event.dialogId !== dialogId) return false;
  const text = f.event.message?.content?.text;
  return typeof text === "string" && matchText(text);
}

function labelOf(ctx: FaultContext, clientId: string): string {
  return ctx.population.clients.find((c) => c.clientId === clientId)?.label ?? `client ${clientId}`;
}
