import type { Subprocess } from "bun";
import { z } from "zod";
import type { DelayPlan } from "./http-delay-proxy";

const PROXY_MAIN = Bun.resolveSync("./delay-proxy-main.ts", import.meta.dir);

/** Messages between the chaos run and its proxy process (IPC). */
export const ZProxyCommand = z.discriminatedUnion("type", [
  z.object({ type: z.literal("plan"), plan: z.unknown().nullable() }),
  z.object({ type: z.literal("upstream"), origin: z.string() }),
]);
export const ZProxyEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("listening"), port: z.number().int() }),
  z.object({ type: z.literal("send"), sendsInFlight: z.number().int() }),
]);

export type RemoteDelayProxy = {
  url: string;
  setPlan: (plan: DelayPlan | null) => void;
  setUpstream: (origin: string) => void;
  /** Resolves with the sends in flight once a message.send reaches the upstream. */
  nextSendInFlight: () => Promise<number>;
  stop: () => Promise<void>;
};

/** The delay proxy in a process of its own (its own fetch pool), driven over IPC. */
export async function startDelayProxyProcess(upstream: string): Promise<RemoteDelayProxy> {
  let waiters: ((sends: number) => void)[] = [];
  let onListening: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => {
    onListening = resolve;
  });
  const proc: Subprocess = Bun.spawn(["bun", PROXY_MAIN], {
    env: { ...process.env, PROXY_UPSTREAM: upstream },
    stdout: "inherit",
    stderr: "inherit",
    ipc(message) {
      const event = ZProxyEvent.parse(message);
      if (event.type === "listening") onListening(event.port);
      else {
        const ready = waiters;
        waiters = [];
        for (const resolve of ready) resolve(event.sendsInFlight);
      }
    },
  });
  const port = await Promise.race([
    listening,
    proc.exited.then((code) => Promise.reject(new Error(`the delay proxy exited (${code})`))),
  ]);
  const command = (message: z.infer<typeof ZProxyCommand>) => proc.send(message);
  return {
    url: `http://127.0.0.1:${port}`,
    setPlan: (plan) => command({ type: "plan", plan }),
    setUpstream: (origin) => command({ type: "upstream", origin }),
    nextSendInFlight: () => new Promise((resolve) => waiters.push(resolve)),
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
