import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { LoadgenConfig } from "./loadgen";

export type LoadgenStats = {
  opened: number;
  failed: number;
  closed: number;
  frames: number;
  events: number;
  /** Latency samples recorded so far (mode "latency"). */
  stamped: number;
  cpuUs: number;
  closeCodes: Record<string, number>;
};

export type Loadgen = {
  proc: Subprocess<"ignore", "pipe", "inherit">;
  localAddress: string;
  stats: LoadgenStats;
  ready: Promise<LoadgenStats>;
  stop: () => Promise<number[]>;
};

const LOADGEN = join(import.meta.dir, "loadgen.ts");
const dir = mkdtempSync(join(tmpdir(), "parley-loadgen-"));

/** One load-generator process per source address (127.0.0.2, .3, …). */
export function spawnLoadgen(config: LoadgenConfig): Loadgen {
  const file = join(dir, `${config.localAddress}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const proc = Bun.spawn(["bun", LOADGEN], {
    env: { ...process.env, LOADGEN_CONFIG_FILE: file },
    stdout: "pipe",
    stderr: "inherit",
    stdin: "ignore",
  });
  const stats: LoadgenStats = {
    opened: 0,
    failed: 0,
    closed: 0,
    frames: 0,
    events: 0,
    stamped: 0,
    cpuUs: 0,
    closeCodes: {},
  };
  let samples: number[] = [];
  let resolveReady: (s: LoadgenStats) => void = () => {};
  const ready = new Promise<LoadgenStats>((resolve) => {
    resolveReady = resolve;
  });
  const done = (async () => {
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let pending = "";
    for (;;) {
      const { done: finished, value } = await reader.read();
      if (finished) return;
      pending += decoder.decode(value);
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.event === "ready") {
          Object.assign(stats, parsed);
          resolveReady(stats);
        } else if (parsed.event === "stats") Object.assign(stats, parsed);
        else if (parsed.event === "latency") samples = parsed.samples as number[];
      }
    }
  })();
  return {
    proc,
    localAddress: config.localAddress,
    stats,
    ready,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      await done;
      return samples;
    },
  };
}
