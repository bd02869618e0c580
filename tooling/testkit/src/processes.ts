import { mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";

/** A spawned process whose stdout and stderr go to `logFile`. */
export type LoggedProcess = { name: string; proc: Subprocess; logFile: string };

export const isRunning = (proc: Subprocess) => proc.exitCode === null && proc.signalCode === null;

export function spawnLogged(options: {
  name: string;
  cmd: string[];
  logDir: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Append to the log instead of starting it afresh (a process started again). */
  append?: boolean;
}): LoggedProcess {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = openSync(logFile, options.append ? "a" : "w");
  const proc = Bun.spawn(options.cmd, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdout: log,
    stderr: log,
  });
  return { name: options.name, proc, logFile };
}

/**
 * Waits until `isReady` answers true (a throw counts as not yet), failing at once, naming the log,
 * when the process exits first.
 */
export async function waitForReady(
  launched: LoggedProcess,
  isReady: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(launched.proc)) {
      throw new Error(
        `${launched.name} exited (${launched.proc.exitCode ?? launched.proc.signalCode}); see ${launched.logFile}`,
      );
    }
    if (await isReady().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`${launched.name} was not ready after ${timeoutMs} ms; see ${launched.logFile}`);
}

/** True once `url` answers anything over HTTP (a 404 or a tRPC error means it listens). */
export const answers = (url: string) => () =>
  fetch(url).then(
    () => true,
    () => false,
  );

/** Ends a process: `signal`, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(proc: Subprocess, signal: NodeJS.Signals = "SIGTERM", graceMs = 3_000) {
  if (!isRunning(proc)) return;
  proc.kill(signal);
  const exited = await Promise.race([proc.exited, Bun.sleep(graceMs).then(() => null)]);
  if (exited === null) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

/**
 * Resolves with the port a spawned process reports in its `{"event":"listening","port":N}` log line
 * (the gateway prints it), or rejects with everything it printed when it exits or times out first.
 */
export async function waitForListening(
  proc: Subprocess,
  name: string,
  timeoutMs: number,
): Promise<{ port: number; output: () => string }> {
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${output}`)), timeoutMs);
    const read = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        output += decoder.decode(value);
        const match = output.match(/"event":"listening","port":(\d+)/);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    };
    void read(proc.stdout as ReadableStream<Uint8Array>);
    void read(proc.stderr as ReadableStream<Uint8Array>);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${output}`));
    });
  });
  return { port, output: () => output };
}
