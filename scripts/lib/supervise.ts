/**
 * Runs a set of long-lived processes as one: their output prefixed with their name, all stopped
 * (SIGTERM, then SIGKILL after a grace) when any one exits or when we are told to stop.
 */
import type { Subprocess } from "bun";

export type ProcessSpec = {
  name: string;
  /** Relative to the repository root. */
  cwd: string;
  command: string[];
  env?: Record<string, string>;
};

const STOP_GRACE_MS = 10_000;

async function pipeWithPrefix(stream: ReadableStream<Uint8Array>, prefix: string, out: NodeJS.WriteStream) {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) out.write(`${prefix} ${line}\n`);
  }
  if (pending) out.write(`${prefix} ${pending}\n`);
}

/** Resolves with the exit code to use once every process has ended. */
export async function supervise(
  root: string,
  specs: ProcessSpec[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const width = Math.max(...specs.map((spec) => spec.name.length));
  const running: { spec: ProcessSpec; proc: Subprocess<"ignore", "pipe", "pipe"> }[] = [];
  let stopping = false;
  let firstExit: { name: string; code: number } | null = null;

  const stopAll = (signal: NodeJS.Signals = "SIGTERM") => {
    if (stopping) return;
    stopping = true;
    for (const { proc } of running) proc.kill(signal);
    const timer = setTimeout(() => {
      for (const { proc } of running) if (proc.exitCode === null) proc.kill("SIGKILL");
    }, STOP_GRACE_MS);
    timer.unref();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stopAll());

  for (const spec of specs) {
    const proc = Bun.spawn(spec.command, {
      cwd: `${root}/${spec.cwd}`,
      env: { ...env, ...spec.env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    running.push({ spec, proc });
    const prefix = `[${spec.name.padEnd(width)}]`;
    void pipeWithPrefix(proc.stdout, prefix, process.stdout);
    void pipeWithPrefix(proc.stderr, prefix, process.stderr);
    void proc.exited.then((code) => {
      if (!stopping) {
        firstExit = { name: spec.name, code };
        console.error(`[start] ${spec.name} exited with code ${code}; stopping the others`);
        stopAll();
      }
    });
  }
  await Promise.all(running.map(({ proc }) => proc.exited));
  const exited = firstExit as { name: string; code: number } | null;
  return exited ? exited.code || 1 : 0;
}
